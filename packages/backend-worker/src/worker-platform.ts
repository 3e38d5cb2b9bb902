import type { Endpoint } from 'comlink';

/** A worker the pool started, seen through what the pool needs of it. */
export interface SpawnedWorker {
  readonly endpoint: Endpoint;
  /** Stops the worker; resolves once it is gone. */
  terminate(): Promise<void>;
}

/** Told when a worker stops or fails on its own. */
export interface WorkerLifecycle {
  /**
   * The worker is gone (Node: it exited; browsers: it failed to load). Called
   * at most once, never for a worker the pool terminated itself.
   */
  onExit(error: Error): void;
}

/**
 * How workers are made where the pool runs: Web Workers by default,
 * worker_threads in the Node build.
 */
export interface WorkerPlatform {
  spawn(url: string | URL, workerOptions: object | undefined, lifecycle: WorkerLifecycle): SpawnedWorker;
  /** The pool size when none is given: the machine's parallelism. */
  defaultSize(): number;
}
