/**
 * What {@link BullmqBackend.stats} reports: the calls waiting now, and how
 * the calls settled so far. Timeouts and aborts are counted apart from
 * failures: they are the caller's choice, not the queue's fault.
 *
 * @example
 * ```ts
 * const stats: BullmqBackendStats = queued.stats();
 * console.log(`${stats.waiting} calls waiting for their jobs, ${stats.timedOut} timed out so far`);
 * ```
 */
export interface BullmqBackendStats {
  /** Calls waiting for their job's result (queued, running, or not yet accepted by Redis). */
  waiting: number;
  /** Calls that resolved with their job's result. */
  completed: number;
  /** Calls that rejected for another reason than a timeout or an abort: the task failed, Redis was unreachable, the backend closed. */
  failed: number;
  /** Calls that rejected with `TASK_TIMEOUT`. */
  timedOut: number;
  /** Calls that rejected with `TASK_ABORTED`: their signal aborted, or someone removed their job. */
  aborted: number;
}
