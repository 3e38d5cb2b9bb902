import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { invalidArgumentError } from './invalid-argument-error.js';
import { backendClosedError } from './lifecycle/backend-unavailable-error.js';
import type { CallDeadline } from './lifecycle/call-deadline.js';
import { CloseOnce } from './lifecycle/close-once.js';
import { noCallOptions, readRunOptions, type CallOptions } from './lifecycle/read-run-options.js';
import { runUnderDeadline } from './lifecycle/run-under-deadline.js';
import { askCanRun } from './ask-can-run.js';
import { invokeBackend } from './invoke-backend.js';
import { observeAttempt } from './observe-attempt.js';
import { PlacedCalls } from './placement/placed-calls.js';
import { PlacedBackend } from './placement/placement-records.js';
import { readPlacementOptions } from './placement/read-placement-options.js';
import { taskNamesOf } from './task-names-of.js';
import type {
  HybridComputeRunTask,
  HybridComputeBackends,
  HybridComputeConstructor,
  HybridComputeOptions,
  PlacementReason,
  RouterStats,
  RunOptions,
  StrategyOrOptions,
} from './hybrid-compute-types.js';
import type { BackendLoad, ComputeBackendLike, RunTaskOptions } from './types.js';

/**
 * The router: runs each task on the best backend that can run it. It is
 * itself a backend (`canRun` + `runTask`), so routers nest and a server can
 * serve one.
 *
 * @typeParam Tasks - the type of a task collection (`typeof tasks` for an
 * array, record or module namespace of `defineTask` results). When given,
 * `runTask` accepts only those names and infers input and output types.
 *
 * @example
 * ```ts
 * const compute: HybridCompute<typeof tasks> = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * if (compute.canRun('double')) console.log(await compute.runTask('double', 21)); // 42
 * console.log(compute.backendNames, compute.order); // ['local'] ['local']
 * await compute.close();
 * ```
 */
export interface HybridCompute<Tasks = unknown> {
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
  readonly runTask: HybridComputeRunTask<Tasks>;
  /** Whether any backend in the `'auto'` order can run the task. */
  canRun(taskName: string): boolean;
  /** The names of the configured backends, in insertion order. */
  readonly backendNames: readonly string[];
  /** The backends `'auto'` places calls on, in the order it asks them while nothing is learned. */
  readonly order: readonly string[];
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
}

const defaultOrderHead = ['worker', 'local', 'remote'] as const;

class HybridComputeRouter {
  readonly backendNames: readonly string[];
  readonly order: readonly string[];
  readonly #backends = new Map<string, ComputeBackendLike>();
  readonly #backendIndex = new Map<string, number>();
  // Parallel arrays: the hot path walks these without a Map lookup per backend.
  readonly #autoBackends: ComputeBackendLike[];
  readonly #hooks: Pick<HybridComputeOptions, 'onTaskStart' | 'onTaskSettled'>;
  readonly #observed: boolean;
  readonly #closer: CloseOnce;
  readonly #placed: PlacedCalls;
  // With one backend in the order there is nothing to place: 'auto' goes straight there.
  readonly #placesAuto: boolean;
  readonly #soleReason: PlacementReason;
  #nextCallId = 1;

  constructor(backends: HybridComputeBackends, options: HybridComputeOptions = {}) {
    if (typeof backends !== 'object' || backends === null) {
      throw invalidArgumentError('createHybridCompute: backends must be an object such as { local, worker, remote }');
    }
    for (const [name, backend] of Object.entries(backends)) {
      if (backend === undefined) continue;
      if (
        typeof backend !== 'object' ||
        backend === null ||
        typeof backend.canRun !== 'function' ||
        typeof backend.runTask !== 'function'
      ) {
        throw invalidArgumentError(`createHybridCompute: backend '${name}' must have canRun() and runTask() methods`);
      }
      if (name === 'auto') {
        throw invalidArgumentError("createHybridCompute: no backend may be named 'auto', the strategy that picks one");
      }
      this.#backends.set(name, backend);
    }
    this.backendNames = Object.freeze([...this.#backends.keys()]);
    this.order = Object.freeze(this.#resolveOrder(options.order));
    this.#autoBackends = this.order.map((name) => this.#backends.get(name) as ComputeBackendLike);
    this.#hooks = { onTaskStart: options.onTaskStart, onTaskSettled: options.onTaskSettled };
    this.#observed = options.onTaskStart !== undefined || options.onTaskSettled !== undefined;
    const placement = readPlacementOptions(options);
    this.backendNames.forEach((name, index) => this.#backendIndex.set(name, index));
    this.#placed = new PlacedCalls({
      backends: this.backendNames.map((name) => new PlacedBackend(name, this.#backends.get(name) as ComputeBackendLike, name === 'local')),
      order: this.order.map((name) => this.#backendIndex.get(name) as number),
      ordered: placement.ordered,
      observed: this.#observed,
      localBudgetMs: placement.localBudgetMs,
      now: placement.now,
      attempt: (backend, backendName, taskName, input, deadline, callId, reason) =>
        this.#attempt(backend, backendName, taskName, input, deadline, callId, reason),
    });
    this.#placesAuto = this.order.length > 1;
    this.#soleReason = placement.ordered ? 'ordered' : 'only';
    this.#closer = new CloseOnce(() => this.#closeBackends());
    // Users hand these around detached (`const { runTask } = compute`), and they read private state.
    this.runTask = this.runTask.bind(this);
    this.canRun = this.canRun.bind(this);
  }

  stats(): RouterStats {
    return this.#placed.stats();
  }

  load(): BackendLoad {
    return this.#placed.load();
  }

  /**
   * The task names of every backend, when each of them can list its own
   * (`taskNames`); `undefined` when any cannot, since then any name might run.
   */
  get taskNames(): readonly string[] | undefined {
    const names = new Set<string>();
    for (const backend of this.#backends.values()) {
      const own = taskNamesOf(backend);
      if (own === undefined) return undefined;
      for (const name of own) names.add(name);
    }
    return [...names];
  }

  canRun(taskName: string): boolean {
    return !this.#closer.closed && this.#findAuto(taskName, 0) !== -1;
  }

  runTask(taskName: string, input: unknown, strategyOrOptions?: StrategyOrOptions | RunTaskOptions): Promise<unknown> {
    if (typeof taskName !== 'string') {
      return Promise.reject(invalidArgumentError(`runTask: the task name must be a string, got ${typeof taskName}`));
    }
    if (this.#closer.closed) return Promise.reject(backendClosedError('router', taskName));
    if (strategyOrOptions === undefined) return this.#route(taskName, input, 'auto', undefined);
    if (typeof strategyOrOptions === 'string') return this.#route(taskName, input, strategyOrOptions, undefined);
    if (typeof strategyOrOptions !== 'object' || strategyOrOptions === null) {
      return Promise.reject(
        invalidArgumentError(
          `runTask('${taskName}'): the third argument must be a strategy name or { strategy, signal, timeout }, got ${strategyOrOptions === null ? 'null' : typeof strategyOrOptions}`,
        ),
      );
    }
    let strategy = 'auto';
    let options: CallOptions;
    try {
      options = readRunOptions(taskName, strategyOrOptions);
      const named = (strategyOrOptions as RunOptions).strategy;
      if (named !== undefined) {
        if (typeof named !== 'string') {
          throw invalidArgumentError(`runTask('${taskName}'): strategy must be a string, got ${typeof named}`);
        }
        strategy = named;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (options === noCallOptions) return this.#route(taskName, input, strategy, undefined);
    if (options.signal?.aborted === true) {
      // Nothing ran, but the error still names where the call would have gone.
      const index = strategy === 'auto' ? this.#findAuto(taskName, 0) : -1;
      const backend = strategy !== 'auto' ? strategy : index === -1 ? 'router' : this.order[index];
      return Promise.reject(abortErrorFrom(options.signal.reason, taskName, backend));
    }
    // The deadline rejects the call itself, so the caller is answered even if a backend ignores the signal.
    return runUnderDeadline(taskName, undefined, options, (_signal, deadline) => this.#route(taskName, input, strategy, deadline));
  }

  close(): Promise<void> {
    return this.#closer.close();
  }

  async #closeBackends(): Promise<void> {
    const results = await Promise.allSettled(
      // Through a promise, so that a close() that throws synchronously cannot stop the others from closing.
      [...this.#backends.values()].map(async (backend) => (typeof backend.close === 'function' ? backend.close() : undefined)),
    );
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length > 0) {
      throw new AggregateError(failures.map((failure) => failure.reason as unknown), `${failures.length} backend(s) failed to close`);
    }
  }

  #resolveOrder(order: readonly string[] | undefined): string[] {
    if (order === undefined) {
      const head = defaultOrderHead.filter((name) => this.#backends.has(name));
      const rest = this.backendNames.filter((name) => !(defaultOrderHead as readonly string[]).includes(name));
      return [...head, ...rest];
    }
    if (!Array.isArray(order)) throw invalidArgumentError('createHybridCompute: order must be an array of backend names');
    for (const name of order) {
      if (!this.#backends.has(name)) {
        throw invalidArgumentError(
          `createHybridCompute: order names backend '${String(name)}', which is not configured (backends: ${this.#listBackends()})`,
        );
      }
    }
    return [...new Set(order)];
  }

  #route(taskName: string, input: unknown, strategy: string, deadline: CallDeadline | undefined): Promise<unknown> {
    const callId = this.#nextCallId++;
    if (strategy === 'auto') {
      if (this.#placesAuto) return this.#placed.run(taskName, input, deadline, callId) ?? Promise.reject(this.#noBackendForAuto(taskName));
      const index = this.#findAuto(taskName, 0);
      if (index === -1) return Promise.reject(this.#noBackendForAuto(taskName));
      return this.#attempt(this.#autoBackends[index] as ComputeBackendLike, this.order[index] as string, taskName, input, deadline, callId, this.#soleReason);
    }
    const backendIndex = this.#backendIndex.get(strategy);
    if (backendIndex === undefined) {
      return Promise.reject(
        new ComputeError({
          code: 'NO_BACKEND',
          message: `No backend available for task '${taskName}' using strategy '${strategy}': no backend is named '${strategy}' (backends: ${this.#listBackends()})`,
          taskName,
        }),
      );
    }
    // An explicit strategy is the caller's choice: the backend itself says whether it has the task.
    return this.#placed.runExplicit(backendIndex, taskName, input, deadline, callId);
  }

  #attempt(
    backend: ComputeBackendLike,
    backendName: string,
    taskName: string,
    input: unknown,
    deadline: CallDeadline | undefined,
    callId: number,
    reason: PlacementReason,
  ): Promise<unknown> {
    let options: RunTaskOptions | undefined;
    let signal: AbortSignal | undefined;
    if (deadline !== undefined) {
      // The router's own timeout names the backend the call was on when it passed.
      deadline.backend = backendName;
      signal = deadline.signal;
      options = { signal };
    }
    if (!this.#observed) return invokeBackend(backend, taskName, input, options);
    return observeAttempt(this.#hooks, { taskName, backend: backendName, callId, reason }, signal, () =>
      invokeBackend(backend, taskName, input, options),
    );
  }

  #findAuto(taskName: string, from: number): number {
    const backends = this.#autoBackends;
    for (let index = from; index < backends.length; index++) {
      if (askCanRun(backends[index] as ComputeBackendLike, taskName)) return index;
    }
    return -1;
  }

  #noBackendForAuto(taskName: string): ComputeError {
    const prefix = `No backend available for task '${taskName}' using strategy 'auto'`;
    if (this.order.length === 0) {
      const why = this.backendNames.length > 0 ? `its order is empty (backends: ${this.#listBackends()}; name one as the strategy)` : 'the router has no backends';
      return new ComputeError({ code: 'NO_BACKEND', message: `${prefix}: ${why}`, taskName });
    }
    const starting = this.order.filter((name) => (this.#backends.get(name) as { starting?: unknown }).starting === true);
    const known = this.taskNames;
    let why = `none of ${this.order.join(', ')} can run it`;
    if (starting.length > 0) {
      why += ` (${starting.map((name) => `${name} is still starting: await ${name}.ready()`).join('; ')})`;
    } else if (known !== undefined && !known.includes(taskName)) {
      why = `no backend has a task of that name (tasks: ${known.length === 0 ? 'none' : [...known].sort().join(', ')})`;
    }
    return new ComputeError({ code: 'NO_BACKEND', message: `${prefix}: ${why}`, taskName });
  }

  #listBackends(): string {
    return this.backendNames.length === 0 ? 'none' : this.backendNames.join(', ');
  }
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
export const HybridCompute = HybridComputeRouter as unknown as HybridComputeConstructor;


/**
 * Creates a router over the given backends.
 *
 * @param backends - backends by name; `worker`, `local` and `remote` have a place in
 *   the default `'auto'` order, any other name comes after them.
 * @param options - placement (`'fastest'` or `'ordered'`, `localBudgetMs`), the `'auto'` order and observability hooks.
 * @typeParam Tasks - optional: `typeof tasks` for your task definitions, so that
 *   `runTask` checks names and infers input and output types.
 * @throws TypeError (code `INVALID_REQUEST`) for a backend without `canRun`/`runTask`
 *   or an `order` naming a backend that is not configured.
 *
 * @example
 * ```ts
 * import { createHybridCompute } from '@hybridcompute/core';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const compute = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * const doubled = await compute.runTask('double', 21); // number
 * ```
 */
export function createHybridCompute<Tasks = unknown>(
  backends: HybridComputeBackends,
  options?: HybridComputeOptions,
): HybridCompute<Tasks> {
  return new HybridCompute<Tasks>(backends, options);
}
