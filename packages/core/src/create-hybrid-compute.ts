import { HybridComputeRouter as RouterClass } from './hybrid-compute-router.js';
import type {
  HybridComputeRunTask,
  HybridComputeStreamTask,
  HybridComputeBackends,
  HybridComputeConstructor,
  HybridComputeOptions,
  RouterBackendName,
  RouterTasks,
} from './hybrid-compute-types.js';
import type { RouterStats } from './placement/placement-types.js';
import type { CheckedBackends } from './inferred-tasks.js';
import type { BackendLoad } from './types.js';

/**
 * The router: runs each task on the best backend that can run it. It is
 * itself a backend (`canRun` + `runTask`), so routers nest and a server can
 * serve one.
 *
 * @typeParam Tasks - the type of a task collection (`typeof tasks` for an
 * array, record or module namespace of `defineTask` results), inferred from
 * the backends or given explicitly. When known, `runTask` accepts only those
 * names and infers input and output types; `unknown` takes any name.
 * @typeParam BackendName - the names `runTask`'s strategy accepts besides `'auto'`; `string` for any.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }) }); // HybridCompute<MergedTasks<typeof tasks>, 'local'>
 * if (compute.canRun('double')) console.log(await compute.runTask('double', 21)); // 42
 * console.log(compute.backendNames, compute.order); // ['local'] ['local']
 * await compute.close();
 * ```
 */
export interface HybridCompute<Tasks = unknown, BackendName extends string = string> {
  /**
   * Runs a task.
   *
   * @param taskName - the task's name.
   * @param input - its input; must suit the backend (structured-cloneable for workers, JSON for remote).
   * @param strategy - `'auto'` (default) places the call on the backend expected to
   *   finish it soonest and moves it on past `BACKEND_UNAVAILABLE` and `QUEUE_FULL`
   *   (`placement: 'ordered'`: first fit, moving on past `BACKEND_UNAVAILABLE`);
   *   a backend's name runs there only. Or `{ strategy, signal, timeout }`.
   * @returns a promise of the task's output. It rejects with a `ComputeError`:
   *   `NO_BACKEND`, `TASK_NOT_FOUND`, `TASK_FAILED`, `TASK_TIMEOUT`, `TASK_ABORTED`,
   *   `BACKEND_UNAVAILABLE` and so on; with a `TypeError` (code `INVALID_REQUEST`) for bad arguments.
   *
   * @example
   * ```ts
   * const doubled = await compute.runTask('double', 21);                  // 'auto'
   * await compute.runTask('double', 21, 'local');                         // one backend
   * await compute.runTask('double', 21, { timeout: 500, signal });        // deadline and cancel
   * ```
   */
  readonly runTask: HybridComputeRunTask<Tasks, BackendName>;
  /**
   * Runs a streaming task (its `run` is an `async function*`) and yields its
   * chunks as they come, with at most `highWaterMark` on their way: a loop
   * that reads slowly slows the task down. Leaving the loop early stops the
   * task where it runs. Takes the same strategy and options as `runTask`.
   * Bad arguments, and a chosen backend that cannot stream, reject the
   * loop's first step; nothing throws where it is called.
   *
   * @example
   * ```ts
   * for await (const tile of compute.streamTask('tiles', image, { timeout: 60_000 })) {
   *   draw(tile);
   *   if (done()) break; // the task is closed where it runs
   * }
   * ```
   */
  readonly streamTask: HybridComputeStreamTask<Tasks>;
  /** Whether any backend in the `'auto'` order can run the task. */
  canRun(taskName: string): boolean;
  /** The names of the configured backends, in insertion order. */
  readonly backendNames: readonly BackendName[];
  /** The backends `'auto'` places calls on, in the order it asks them while nothing is learned. */
  readonly order: readonly BackendName[];
  /**
   * The task names of all backends, when every backend lists its own
   * (`taskNames`); `undefined` when any cannot, since then any name may run.
   */
  readonly taskNames: readonly string[] | undefined;
  /**
   * Where calls went and what placement has learned: per backend, and per
   * task and backend, the calls, calls in flight, p50 and p95 latency and the
   * current run-time estimate. A snapshot: later calls do not change it.
   *
   * @example
   * ```ts
   * await Promise.all(inputs.map((n) => compute.runTask('double', n)));
   * const { tasks } = compute.stats();
   * console.log(tasks['double']); // { worker: { calls: 700, p50Ms: 0.05, estimateMs: 0.04, ... }, local: { ... } }
   * ```
   */
  stats(): RouterStats;
  /**
   * The sum of its backends' load in the `'auto'` order: each one's own
   * `load()`, or for a backend without one the router's calls in flight there
   * against a capacity of 1. So a router nested in another is placed well.
   *
   * @example
   * ```ts
   * const { inFlight, capacity, queued } = compute.load(); // e.g. { inFlight: 3, capacity: 9, queued: 0 }
   * ```
   */
  load(): BackendLoad;
  /**
   * Closes every backend that has a `close()` method; rejects with an
   * `AggregateError` if any fails. From the first call on, the router runs
   * nothing: every new call rejects with `BACKEND_UNAVAILABLE`. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
  /** Type-level only (never set): the router's tasks, so that an outer router infers them. */
  readonly '~tasks'?: Tasks;
}

/**
 * The router class. `new HybridCompute(backends, options)` is the same as
 * {@link createHybridCompute}; `value instanceof HybridCompute` works.
 *
 * @example
 * ```ts
 * const compute = new HybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * compute instanceof HybridCompute; // true
 * await compute.runTask('double', 21); // 42
 * ```
 */
export const HybridCompute = RouterClass as unknown as HybridComputeConstructor;


/**
 * Creates a router over the given backends.
 *
 * @param backends - backends by name; `worker`, `local` and `remote` have a place in
 *   the default `'auto'` order, any other name comes after them.
 * @param options - placement (`'fastest'` or `'ordered'`, `localBudgetMs`), the `'auto'` order and observability hooks.
 * @typeParam Tasks - usually left out: the router infers its task names, inputs and
 *   outputs from the backends' task types, and its strategy takes only `'auto'`
 *   and the backends' names. One backend without task types (an object literal,
 *   a worker given no `tasks`) makes the router untyped: any task name. A task two
 *   backends type differently is a compile error naming the task. Given
 *   explicitly (`typeof tasks`), it types `runTask` by those tasks instead, and
 *   the strategy takes any string.
 * @typeParam Backends - inferred from `backends`; not meant to be given.
 * @throws TypeError (code `INVALID_REQUEST`) for a backend without `canRun`/`runTask`
 *   or an `order` naming a backend that is not configured.
 *
 * @example
 * ```ts
 * import { createHybridCompute } from '@hybridcompute/core';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }) });
 * const doubled = await compute.runTask('double', 21); // number
 * await compute.runTask('double', 21, 'lcoal'); // compile error: the strategy is 'auto' or 'local'
 * ```
 */
export function createHybridCompute<Tasks = never, Backends extends HybridComputeBackends = HybridComputeBackends>(
  backends: CheckedBackends<Backends>,
  options?: HybridComputeOptions<NoInfer<RouterBackendName<Tasks, Backends>>>,
): HybridCompute<RouterTasks<Tasks, Backends>, RouterBackendName<Tasks, Backends>> {
  return new HybridCompute<Tasks, Backends>(backends, options);
}
