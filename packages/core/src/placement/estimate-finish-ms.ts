/**
 * When a call handed to a backend now is expected to finish, in ms from now:
 * the wait for a free slot plus the run itself. The backend is taken as
 * `capacity` slots serving one queue: with `ahead` calls already there
 * (running or queued), a call waits for `ahead + 1 - capacity` of them to
 * leave, and each slot frees up every `runTimeMs` on average.
 *
 * @param runTimeMs - the learned run time of the task on that backend.
 * @param ahead - calls running or queued there now.
 * @param capacity - calls it runs at once (1 when it does not say).
 *
 * @example
 * ```ts
 * estimateFinishMs(10, 0, 2); // 10: a slot is free
 * estimateFinishMs(10, 2, 2); // 15: half a run, on average, until a slot frees
 * estimateFinishMs(10, 3, 1); // 40: three runs ahead, then its own
 * ```
 */
export function estimateFinishMs(runTimeMs: number, ahead: number, capacity: number): number {
  const waiting = ahead + 1 - capacity;
  return waiting > 0 ? runTimeMs * (1 + waiting / capacity) : runTimeMs;
}
