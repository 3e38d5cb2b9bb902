import type { RunTaskOptions, TaskCollection } from '@hybridcompute/core';

/**
 * Options handed to the `Worker` constructor as they are. In Node these are
 * `worker_threads` options (`workerData`, `resourceLimits`, `execArgv`, `env`,
 * ...); in browsers `name` and `credentials` (the worker is always
 * `type: 'module'`).
 *
 * @example
 * ```ts
 * const worker = createWorkerBackend({
 *   url: new URL('./worker.js', import.meta.url),
 *   workerOptions: { workerData: { tasksModule: './tasks.js' }, resourceLimits: { maxOldGenerationSizeMb: 256 } },
 * });
 * ```
 */
export interface WorkerConstructorOptions {
  /** Node: the value the worker reads as `workerData` (structured-cloned). */
  workerData?: unknown;
  /** Node: heap limits; a worker that passes them is replaced and its calls fail with `BACKEND_UNAVAILABLE`. */
  resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /** Node: flags for the worker, e.g. `['--enable-source-maps']` (on Node 20 a loader flag such as `--import tsx` does not apply to the worker's own entry file: see the README). */
  execArgv?: string[];
  /** Node: the worker's `process.env`. */
  env?: unknown;
  /** Browser (and Node): a name shown in dev tools. */
  name?: string;
  /** Browser: credentials mode for fetching the worker script. */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** Anything else the platform's `Worker` accepts. */
  [option: string]: unknown;
}

/**
 * Options for {@link createWorkerBackend}. Only `url` is required.
 *
 * @example
 * ```ts
 * const options: WorkerBackendOptions = {
 *   url: new URL('./tasks.worker.js', import.meta.url),
 *   size: 4,
 *   tasks, // the same definitions the worker exposes: canRun answers before ready()
 *   maxQueue: 1_000,
 *   taskTimeout: 10_000,
 * };
 * const worker = createWorkerBackend(options);
 * ```
 *
 * @typeParam Declared - the type of `tasks`, which types the backend for the router.
 */
export interface WorkerBackendOptions<Declared extends readonly string[] | TaskCollection = readonly string[] | TaskCollection> {
  /**
   * The worker file: a URL (`new URL('./tasks.worker.js', import.meta.url)`),
   * or in Node also an absolute path. The file calls `exposeTasks(...)`.
   */
  url: string | URL;
  /** How many workers to run. Default: the machine's parallelism (`availableParallelism()` / `navigator.hardwareConcurrency`). */
  size?: number | undefined;
  /**
   * The tasks the workers expose, known before the handshake so that
   * `canRun` answers at once: task names, or the task definitions themselves
   * (only their names are used). After `ready()`, the workers' own list counts.
   * They also type the backend: definitions by their types, names with `unknown` inputs and outputs.
   */
  tasks?: Declared | undefined;
  /** Calls that may wait for a free worker; one more rejects with `QUEUE_FULL`. Default: unbounded. */
  maxQueue?: number | undefined;
  /** Milliseconds a call may run on a worker (queue time does not count); then `TASK_TIMEOUT`. Default: none. */
  taskTimeout?: number | undefined;
  /**
   * Calls sent to one worker before it answers: more hides the round trip,
   * fewer spreads long tasks more evenly. Default 8, a judgement call:
   * throughput keeps rising past it (see BENCHMARKS.md), while the cost of deep
   * per-worker queues for long tasks of uneven length is argued, not measured.
   */
  concurrentTasksPerWorker?: number | undefined;
  /**
   * Milliseconds an aborted or timed-out task has to stop after its
   * `ctx.signal` fires before its worker is terminated and replaced. Default 1000.
   */
  abortGrace?: number | undefined;
  /** Milliseconds a new worker has to call `exposeTasks`. Default 30000. */
  startupTimeout?: number | undefined;
  /**
   * Node: an idle worker (one running no task) sleeps on `Atomics.wait` and is
   * woken by `Atomics.notify` when a call comes, which answers a lone call a few
   * microseconds sooner (piscina does the same). While it sleeps its event loop
   * stands still, so background work (timers or I/O a task left behind, a
   * top-level `await` after `exposeTasks`) pauses; the worker turns its event
   * loop at least every 32 calls. Set `false` for workers that keep such work
   * going between calls. Default `true`. Browsers: ignored.
   */
  atomics?: boolean | undefined;
  /** Passed to the `Worker` constructor; see {@link WorkerConstructorOptions}. */
  workerOptions?: WorkerConstructorOptions | undefined;
  /** The name errors report as their `backend`. Default `'worker'`. */
  name?: string | undefined;
}

/**
 * `runTask`'s third argument, read as on every backend (`readRunOptions` in
 * core): `signal` (`null` means none) and `timeout`, except that this
 * backend's `timeout` counts **run time only**: it starts when a worker takes
 * the call, so time in the queue does not count.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: WorkerRunTaskOptions = { signal: controller.signal, timeout: 2_000 };
 * await worker.runTask('resize', image, options); // TASK_TIMEOUT after 2 s of run time
 * ```
 */
export interface WorkerRunTaskOptions extends RunTaskOptions {
  /**
   * Milliseconds this call may run on a worker, from 0 to `maxTimerDelay`
   * (queue time does not count). Overrides `taskTimeout`.
   */
  timeout?: number | undefined;
}
