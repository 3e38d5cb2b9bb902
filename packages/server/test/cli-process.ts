import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The built CLI the tests run, as users do: `node dist/cli.js`. */
export const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const children = new Set<ChildProcess>();

export interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  /** Resolves once the CLI's standard output contains `text`. */
  printed: (text: string) => Promise<void>;
}

export interface RunOptions {
  env?: Record<string, string>;
  cliPath?: string;
  /** Flags for node itself, before the CLI's path (`--import tsx`). */
  nodeArgs?: string[];
  /** The program that runs the CLI; default this test's own runtime (`process.execPath`). */
  executable?: string;
}

export function run(args: string[], options: RunOptions = {}): ChildProcess {
  const child = spawn(options.executable ?? process.execPath, [...(options.nodeArgs ?? []), options.cliPath ?? cli, ...args], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts the CLI and resolves with the URL it prints once it listens. */
export async function serve(args: string[], options: RunOptions = {}): Promise<Running> {
  const child = run(args, options);
  let stdout = '';
  const watchers = new Set<{ text: string; resolve: () => void }>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers) {
      if (stdout.includes(watcher.text)) {
        watchers.delete(watcher);
        watcher.resolve();
      }
    }
  });
  const printed = (text: string): Promise<void> =>
    stdout.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => watchers.add({ text, resolve }));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', () => {
      const match = /at (https?:\/\/[^\s"]+)/.exec(stdout);
      if (match) resolve(match[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`the CLI exited with ${code} before listening: ${stdout}`)));
  });
  return { child, url, stdout: () => stdout, printed };
}

/** Runs the CLI to its exit and resolves with its code and standard error. */
export async function failure(args: string[], options: RunOptions = {}): Promise<{ code: number | null; stderr: string }> {
  const child = run(args, options);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': the exit can come before the last of stderr has been read (Deno often does).
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr };
}

/**
 * Sends `name` to the CLI. Not `child.kill(name)`: Deno's child_process then reports the
 * child as killed by the signal even when it handled it and exited 0.
 */
export function signal(child: ChildProcess, name: NodeJS.Signals): void {
  process.kill(child.pid!, name);
}

/** Kills every CLI a test left running (call it in `afterEach`). */
export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
}
