// Runs test/fixtures/conformance-worker.mjs in a child process, as a separate machine would.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./fixtures/conformance-worker.mjs', import.meta.url));

/** A worker process started by a test. */
export interface WorkerProcess {
  readonly pid: number;
  /** The jobs it has started, in order: their ids and their input's `value`. */
  readonly activeJobs: { id: string; value: unknown }[];
  /** Resolves when the process has started `count` jobs in all. */
  startedJobs(count: number): Promise<void>;
  /** Sends the signal and resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const running = new Set<ChildProcess>();

/** Starts a worker process on `queue` and resolves once it consumes jobs. */
export async function startWorkerProcess(options: {
  redisUrl: string;
  queue: string;
  concurrency?: number;
  lockDuration?: number;
  stalledInterval?: number;
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      REDIS_URL: options.redisUrl,
      QUEUE: options.queue,
      CONCURRENCY: String(options.concurrency ?? 10),
      LOCK_DURATION: options.lockDuration === undefined ? '' : String(options.lockDuration),
      STALLED_INTERVAL: options.stalledInterval === undefined ? '' : String(options.stalledInterval),
    },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const activeJobs: { id: string; value: unknown }[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let buffered = '';
  let onReady: (() => void) | undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line === 'ready') onReady?.();
      else if (line.startsWith('active ')) {
        const rest = line.slice('active '.length);
        const space = rest.indexOf(' ');
        activeJobs.push({ id: rest.slice(0, space), value: JSON.parse(rest.slice(space + 1)) as unknown });
        for (const waiter of waiters.filter((entry) => activeJobs.length >= entry.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    onReady = resolve;
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`the worker process exited before it was ready (${String(code ?? signal)})`)));
  });
  return {
    pid: child.pid as number,
    activeJobs,
    startedJobs: (count) =>
      activeJobs.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
  };
}

/** Kills every worker process still running: for afterAll, so that no test leaves one behind. */
export async function stopAllWorkerProcesses(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}
