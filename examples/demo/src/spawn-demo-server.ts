import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A compute server running as a child process: the `hybrid-compute-server` CLI serving the demo's tasks. */
export interface DemoServerProcess {
  /** The URL calls are POSTed to, e.g. `http://127.0.0.1:40123/compute`. */
  url: string;
  pid: number;
  /** Kills the server outright (SIGKILL, as a crash would) and resolves once it has exited. */
  kill(): Promise<void>;
  /** Stops the server gracefully (SIGTERM; SIGKILL after 5 s) and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/** Raised when the server cannot start; `message` is one clear line (the CLI's own reason). */
export class DemoServerStartError extends Error {
  override readonly name = 'DemoServerStartError';
}

// Works from src/ (tests) and dist/ alike: both sit next to the built dist/.
const tasksModule = fileURLToPath(new URL('../dist/demo-tasks.js', import.meta.url));
const simulatedMachineModule = fileURLToPath(new URL('../dist/simulated-machine-tasks.js', import.meta.url));
const exitWithParent = new URL('../dist/exit-with-parent.js', import.meta.url).href;
const runWithParent = fileURLToPath(new URL('../dist/run-with-parent.js', import.meta.url));

/**
 * Starts the compute server's CLI on 127.0.0.1 serving the built
 * `dist/demo-tasks.js` (or, with `simulatedMachine`,
 * `dist/simulated-machine-tasks.js`), in its own process: its CPU work stays off this event
 * loop, and killing it is a real crash as far as clients can tell. The server
 * stops by itself when this process dies, however it dies.
 *
 * @param port - 0 (the default) takes a free port.
 * @throws DemoServerStartError when the CLI exits before it serves (a taken port, say).
 *
 * @example
 * ```ts
 * const server = await spawnDemoServer({ port: 0 });
 * const remote = createRemoteBackend({ endpoint: server.url });
 * // ...
 * await server.stop();
 * ```
 */
export async function spawnDemoServer({
  port = 0,
  maxConcurrency,
  simulatedMachine = false,
}: {
  port?: number;
  maxConcurrency?: number | undefined;
  /** Serve `dist/simulated-machine-tasks.js`: the batch's tasks answered on a timer, as a second machine would (see that module). */
  simulatedMachine?: boolean | undefined;
} = {}): Promise<DemoServerProcess> {
  const require = createRequire(import.meta.url);
  const serverPackage = require.resolve('@hybridcompute/server/package.json');
  const { bin } = require(serverPackage) as { bin: Record<string, string> };
  const cli = join(dirname(serverPackage), bin['hybrid-compute-server'] ?? 'dist/cli.js');
  // stdin is a pipe the server watches (exit-with-parent): it stops when this process dies
  // without running any exit handler, SIGKILL included.
  // Deno drops Node's --import without a word: there a small entry loads the watch, then the CLI.
  const preload = 'Deno' in globalThis ? [runWithParent] : ['--import', exitWithParent];
  const limit = maxConcurrency === undefined ? [] : ['--max-concurrency', String(maxConcurrency)];
  const child = spawn(process.execPath, [...preload, cli, simulatedMachine ? simulatedMachineModule : tasksModule, '--port', String(port), '--host', '127.0.0.1', ...limit], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A last resort: whatever happens to this process, the server does not outlive it.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  let url: string;
  try {
    url = await readServingUrl(child, exited);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    url,
    pid: child.pid as number,
    async kill() {
      if (isRunning()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (isRunning()) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
}

function readServingUrl(child: ChildProcess, exited: Promise<void>): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /serving .* at (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        // Keep draining, so that the child never blocks on a full pipe.
        child.stdout?.removeAllListeners('data').resume();
        child.stderr?.removeAllListeners('data').resume();
        resolve(match[1]);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    void exited.then(() => {
      const reason = stderr.split('\n').find((line) => line.trim() !== '') ?? `exited with code ${child.exitCode}`;
      reject(new DemoServerStartError(`cannot start the compute server: ${reason.replace(/^hybrid-compute-server: (cannot listen: )?/, '')}`));
    });
  });
}
