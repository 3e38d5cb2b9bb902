import { invalidArgumentError } from './invalid-argument-error.js';
import type { ComputeTaskInterface, TaskContext } from './types.js';

/**
 * Defines a named task. The same definition is registered by the local
 * backend, exposed by a worker file and served by a compute server, and its
 * types flow to the router's `runTask`.
 *
 * @param name - the name callers use; non-empty.
 * @param run - does the work, sync or async; `context.signal` aborts on cancel or timeout.
 *   A `run` that takes no input makes a task whose input is `void`: callers leave it out.
 * @throws TypeError (code `INVALID_REQUEST`) when `name` is not a non-empty string or `run` is not a function.
 *
 * @example
 * ```ts
 * export const double = defineTask('double', (n: number) => n * 2);
 * export const hash = defineTask('hash', async (text: string, { signal }) => sha256(text, { signal }));
 * ```
 */
export function defineTask<const Name extends string, Input = void, Output = unknown>(
  name: Name,
  run: (input: Input, context: TaskContext) => Output,
): ComputeTaskInterface<Input, Awaited<Output>, Name> {
  if (typeof name !== 'string' || name.length === 0) {
    throw invalidArgumentError(`defineTask: the name must be a non-empty string, got ${describe(name)}`);
  }
  if (typeof run !== 'function') {
    throw invalidArgumentError(`defineTask('${name}'): run must be a function, got ${describe(run)}`);
  }
  return Object.freeze({ name, run }) as ComputeTaskInterface<Input, Awaited<Output>, Name>;
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'string' ? `'${value}'` : typeof value;
}
