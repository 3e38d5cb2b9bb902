import { invalidArgumentError } from '@hybridcompute/core';

/**
 * Where a worker's `resourceLimits` are not kept, a task that allocates without
 * end would take the whole process (Bun: the limits are ignored) or leave a
 * worker that never exits (Deno 2.9: a worker that reaches its limit after its
 * first message hangs). The pool says so at once instead of hanging later.
 */
export function refuseUnsupportedWorkerOptions(workerOptions: unknown): void {
  if (typeof workerOptions !== 'object' || workerOptions === null || !('resourceLimits' in workerOptions)) return;
  if (workerOptions.resourceLimits === undefined) return;
  const runtime = runtimeWithoutResourceLimits();
  if (runtime === undefined) return;
  throw invalidArgumentError(
    `createWorkerBackend: workerOptions.resourceLimits is not supported on ${runtime} (a worker there does not stop at its limit); ` +
      'leave it out, or use taskTimeout to bound a task',
  );
}

function runtimeWithoutResourceLimits(): string | undefined {
  const bun = (process.versions as { bun?: string }).bun;
  if (bun !== undefined) return `Bun ${bun}`;
  const deno = (globalThis as { Deno?: { version?: { deno?: string } } }).Deno;
  if (deno !== undefined) return `Deno ${deno.version?.deno ?? ''}`.trim();
  return undefined;
}
