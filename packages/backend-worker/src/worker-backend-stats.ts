/**
 * Milliseconds, over the most recent calls (up to 1024). All 0 before the first call.
 *
 * @example
 * ```ts
 * const { p50, p99 }: DurationPercentiles = worker.stats().runTime;
 * console.log(`tasks take ${p50} ms, ${p99} ms at the 99th percentile`);
 * ```
 */
export interface DurationPercentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * What {@link WorkerBackend.stats} reports. The outcome counters cover calls
 * the pool accepted (a call refused at once, with `QUEUE_FULL`,
 * `TASK_NOT_FOUND` or bad options, counts nowhere); each accepted call counts
 * in exactly one of `completed`, `failed`, `timedOut` and `aborted` once it
 * settles.
 *
 * @example
 * ```ts
 * const stats: WorkerBackendStats = worker.stats();
 * if (stats.queued > 100) console.warn(`${stats.queued} calls wait for ${stats.workers} workers`);
 * const failures = stats.failed / (stats.completed + stats.failed || 1); // timeouts and aborts are not failures
 * ```
 */
export interface WorkerBackendStats {
  /** Workers that have finished their handshake and take calls. */
  workers: number;
  /** Calls waiting for a free worker. */
  queued: number;
  /** Calls sent to a worker and not yet answered (aborted calls count until their task stops). */
  running: number;
  /** Calls that fulfilled. */
  completed: number;
  /**
   * Calls that rejected for any other reason than a timeout or an abort:
   * task errors, crashed workers, inputs that cannot be cloned, `close()`.
   */
  failed: number;
  /** Calls that rejected with `TASK_TIMEOUT` (`taskTimeout` or the call's `timeout`). */
  timedOut: number;
  /** Calls that rejected with `TASK_ABORTED`: the caller's signal aborted (before the call, too). */
  aborted: number;
  /** Time on a worker, from dispatch to answer. */
  runTime: DurationPercentiles;
  /** Time in the queue before dispatch. */
  waitTime: DurationPercentiles;
}

/**
 * How busy a backend is, for placing calls (least-loaded first): what
 * {@link WorkerBackend.load} reports. Structurally the same as the
 * `BackendLoad` core is getting, so either one type-checks against the other.
 *
 * @example
 * ```ts
 * const { inFlight, capacity, queued = 0 }: BackendLoad = worker.load();
 * const busy = (inFlight + queued) / Math.max(capacity, 1);
 * ```
 */
export interface BackendLoad {
  /** Calls running now (on a worker, for this backend). */
  inFlight: number;
  /** Calls it can run at once now; 0 while it cannot run any (still starting, broken, closed). */
  capacity: number;
  /** Calls waiting for room, when the backend queues. */
  queued?: number;
  /** Calls that make progress at once: the workers (each runs one synchronous task at a time). */
  parallelism?: number;
}
