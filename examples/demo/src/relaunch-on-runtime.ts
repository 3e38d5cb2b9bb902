import { spawn } from 'node:child_process';
import { dirname, resolve as resolvePath } from 'node:path';
import { runtimeExecutable } from './runtime-executable.js';

/** The runtimes the demo runs on. */
export const demoRuntimes = ['node', 'bun', 'deno'] as const;
/** One of {@link demoRuntimes}. */
export type DemoRuntime = (typeof demoRuntimes)[number];

/** The runtime this process is, with its version: `{ name: 'bun', version: '1.4.5' }`. */
export function currentRuntime(): { name: DemoRuntime; version: string } {
  const { bun, deno, node } = process.versions as { bun?: string; deno?: string; node: string };
  if (bun !== undefined) return { name: 'bun', version: bun };
  if (deno !== undefined) return { name: 'deno', version: deno };
  return { name: 'node', version: node };
}

/** How each runtime runs a script: Deno needs `run -A` (the demo reads files, spawns and listens). */
const commandOf: Record<DemoRuntime, (script: string) => string[]> = {
  node: (script) => [script],
  bun: (script) => [script],
  deno: (script) => ['run', '-A', script],
};

/**
 * Runs `script` with `args` on another runtime (the pinned `bun` or `deno`
 * binary from `node_modules`, else the one on PATH: see
 * {@link runtimeExecutable}), with this terminal; signals are passed on.
 * Resolves with the exit code to use: the child's, 128 + signal when it was
 * killed, or 2 (and a one-line message) when the runtime is not installed.
 */
export function relaunchOnRuntime(runtime: DemoRuntime, script: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(runtimeExecutable(runtime, dirname(resolvePath(script))), [...commandOf[runtime](script), ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
      // Not child.kill(): Deno's child_process then reports a child that handled the signal as killed by it.
      if (child.pid !== undefined) process.kill(child.pid, signal);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, forward);
    const done = (code: number): void => {
      for (const signal of signals) process.removeListener(signal, forward);
      resolve(code);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      console.error(error.code === 'ENOENT' ? `demo: --runtime ${runtime}: no '${runtime}' in node_modules or on PATH (pnpm install puts the pinned one in node_modules)` : `demo: --runtime ${runtime}: ${error.message}`);
      done(2);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + signalNumber(signal)));
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : signal === 'SIGKILL' ? 9 : 15;
}
