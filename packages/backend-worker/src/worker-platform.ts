import type { Endpoint } from 'comlink';

/**
 * A worker the pool started, seen through what the pool needs of it: what a
 * {@link WorkerPlatform} returns from `spawn`.
 *
 * @example
 * ```ts
 * const worker = new Worker(url, { type: 'module' });
 * const spawned: SpawnedWorker = { endpoint: worker, terminate: async () => worker.terminate() };
 * ```
 */
export interface SpawnedWorker {
  readonly endpoint: Endpoint;
  /** Stops the worker; resolves once it is gone. */
  terminate(): Promise<void>;
}

/**
 * Told when a worker stops or fails on its own.
 *
 * @example
 * ```ts
 * // inside a WorkerPlatform's spawn(url, options, lifecycle)
 * worker.addEventListener('error', (event) => lifecycle.onExit(new Error(event.message)));
 * ```
 */
export interface WorkerLifecycle {
  /**
   * The worker is gone (Node: it exited; browsers: it failed to load). Called
   * at most once, never for a worker the pool terminated itself.
   */
  onExit(error: Error): void;
}

/**
 * How workers are made where the pool runs: Web Workers by default,
 * worker_threads in the Node build. The package's entry points pick one; the
 * `WorkerBackend` constructor takes another, for a runtime with a Worker of
 * its own.
 *
 * @example
 * ```ts
 * const platform: WorkerPlatform = {
 *   spawn(url, options, lifecycle) {
 *     const worker = new Worker(url, { ...options, type: 'module' });
 *     worker.addEventListener('error', (event) => lifecycle.onExit(new Error(event.message)));
 *     return { endpoint: worker, terminate: async () => worker.terminate() };
 *   },
 *   defaultSize: () => navigator.hardwareConcurrency,
 * };
 * const pool = new WorkerBackend({ url: '/tasks.worker.js' }, platform);
 * ```
 */
export interface WorkerPlatform {
  spawn(url: string | URL, workerOptions: object | undefined, lifecycle: WorkerLifecycle): SpawnedWorker;
  /** The pool size when none is given: the machine's parallelism. */
  defaultSize(): number;
}
