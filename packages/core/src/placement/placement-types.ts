import type { BackendLoad } from '../types.js';

/**
 * How `'auto'` places calls: options of {@link createHybridCompute}.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute<typeof tasks>(
 *   { worker, local: createLocalBackend({ tasks }), remote },
 *   { placement: 'fastest', localBudgetMs: 2 }, // the defaults are 'fastest' and 1 ms
 * );
 * ```
 */
export interface PlacementOptions {
  /**
   * `'fastest'` (the default): each call goes to the backend expected to
   * finish it soonest, learned from the calls the router sees.
   * `'ordered'`: the first backend in the order that can run the task, and
   * the next one only when it reports `BACKEND_UNAVAILABLE`.
   */
  placement?: 'fastest' | 'ordered' | undefined;
  /**
   * `'fastest'` runs a task on the backend named `local` (the calling thread)
   * only while its learned run time there is under this many milliseconds,
   * unless no other backend can take the call. Default 1.
   */
  localBudgetMs?: number | undefined;
  /**
   * The clock placement learns by, in milliseconds. Default
   * `performance.now`. Inject one for deterministic tests and simulations.
   */
  now?: (() => number) | undefined;
}

/**
 * Why the router handed a call to a backend (`reason` in hook events):
 * - `'explicit'`: the caller named the backend;
 * - `'ordered'`: `placement: 'ordered'`, the first backend that could run it;
 * - `'only'`: under `'fastest'`, the only backend in the order;
 * - `'default-order'`: nothing learned for the task yet, so the default order
 *   (passing over backends at capacity);
 * - `'learned'`: the backend with the least learned run time, free to take it;
 * - `'spill-over'`: another backend is faster, but busy enough that this one
 *   finishes sooner; or the call came back `QUEUE_FULL` from another;
 * - `'exploring'`: a probe of a backend not tried yet for this task, or not
 *   heard from for a while;
 * - `'fallback'`: an earlier backend answered `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * const moved: PlacementReason[] = ['spill-over', 'fallback'];
 * const compute = createHybridCompute<typeof tasks>(backends, {
 *   onTaskStart: ({ taskName, backend, reason }) => {
 *     if (moved.includes(reason)) console.log(`${taskName} went to ${backend}: ${reason}`);
 *   },
 * });
 * ```
 */
export type PlacementReason = 'explicit' | 'ordered' | 'only' | 'default-order' | 'learned' | 'spill-over' | 'exploring' | 'fallback';

/**
 * What `compute.stats()` reports of one task on one backend.
 *
 * @example
 * ```ts
 * const figures: TaskBackendStats | undefined = compute.stats().tasks['double']?.['worker'];
 * console.log(figures?.calls, figures?.p95Ms, figures?.estimateMs);
 * ```
 */
export interface TaskBackendStats {
  /** Calls handed to this backend (every attempt, including explicit calls). */
  calls: number;
  /**
   * Of those, the ones not settled yet. Calls on `local` run in the caller's
   * thread and are not followed after they return: 0 there, as `failures`.
   */
  inFlight: number;
  /** Attempts that rejected (not followed on `local`). */
  failures: number;
  /**
   * Median latency of the timed calls (the last 64), in ms; `undefined`
   * before any. On `local`, the time the call held the thread.
   */
  p50Ms: number | undefined;
  /** 95th percentile of the same. */
  p95Ms: number | undefined;
  /** The run time placement currently expects here, in ms; `undefined` before any sample. */
  estimateMs: number | undefined;
  /** How many samples the estimate has learned from. */
  samples: number;
}

/**
 * What `compute.stats()` reports of one backend, over all tasks.
 *
 * @example
 * ```ts
 * const { worker } = compute.stats().backends;
 * console.log(worker?.calls, worker?.inFlight, worker?.load?.capacity);
 * ```
 */
export interface BackendStats {
  calls: number;
  inFlight: number;
  failures: number;
  /** The backend's own `load()`, when it has one. */
  load: BackendLoad | undefined;
}

/**
 * `compute.stats()`: where the router sent calls, and what it has learned.
 *
 * @example
 * ```ts
 * const stats: RouterStats = compute.stats();
 * for (const [taskName, byBackend] of Object.entries(stats.tasks)) {
 *   for (const [backend, figures] of Object.entries(byBackend)) {
 *     console.log(taskName, backend, figures.calls, figures.estimateMs);
 *   }
 * }
 * ```
 */
export interface RouterStats {
  placement: 'fastest' | 'ordered';
  /** By backend name, every configured backend. */
  backends: Record<string, BackendStats>;
  /** By task name, then backend name: the backends each task was handed to. */
  tasks: Record<string, Record<string, TaskBackendStats>>;
}
