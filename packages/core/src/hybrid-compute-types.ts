import type { HybridCompute } from './create-hybrid-compute.js';
import type { BackendLoad, RunTaskOptions, ComputeBackendLike, TaskInput, TaskOutput, TaskRegistryOf } from './types.js';

/**
 * `'auto'`, or the name of one of the router's backends.
 *
 * @example
 * ```ts
 * function strategyFor(n: number): ExecutionStrategy {
 *   return n > 1_000_000 ? 'worker' : 'auto'; // a backend's name, or 'auto'
 * }
 * await compute.runTask('double', 21, strategyFor(21));
 * ```
 */
export type ExecutionStrategy = 'auto' | (string & {});

/**
 * The options form of `runTask`'s third argument.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: RunOptions = { strategy: 'local', timeout: 5_000, signal: controller.signal };
 * const doubled = await compute.runTask('double', 21, options); // 42
 * ```
 */
export interface RunOptions extends RunTaskOptions {
  /** `'auto'` (the default) or a backend's name. */
  strategy?: ExecutionStrategy | undefined;
}

/**
 * The backends a router chooses from, by name.
 *
 * @example
 * ```ts
 * const backends: HybridComputeBackends = {
 *   local: createLocalBackend({ tasks }),
 *   // any other name is asked after worker, local and remote
 *   echo: { canRun: (taskName) => taskName === 'echo', runTask: async (_taskName, input) => input },
 * };
 * const compute = createHybridCompute(backends);
 * ```
 */
export interface HybridComputeBackends {
  /** Runs tasks in the calling thread. Second in the `'auto'` order. */
  local?: ComputeBackendLike | undefined;
  /** A pool of worker threads. First in the `'auto'` order. */
  worker?: ComputeBackendLike | undefined;
  /** Compute servers. Third in the `'auto'` order. */
  remote?: ComputeBackendLike | undefined;
  /** Any other backend, asked after the three above in insertion order. */
  [name: string]: ComputeBackendLike | undefined;
}

/**
 * Given to `onTaskStart` when the router hands a call to a backend.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute<typeof tasks>(
 *   { local: createLocalBackend({ tasks }) },
 *   { onTaskStart: ({ taskName, backend }: TaskStartEvent) => console.log(`${taskName} started on ${backend}`) },
 * );
 * ```
 */
export interface TaskStartEvent {
  taskName: string;
  backend: string;
  /** The router's number for the call, the same on every attempt of it (fallback, spill-over). */
  callId: number;
  /** Why the router handed the call to this backend. */
  reason: PlacementReason;
}

/**
 * Given to `onTaskSettled` when a backend's attempt at a call settles.
 *
 * @example
 * ```ts
 * function logSettled(event: TaskSettledEvent): void {
 *   const took = `${event.durationMs.toFixed(1)} ms`;
 *   if (event.outcome === 'fulfilled') console.log(`${event.taskName} ran on ${event.backend} in ${took}`);
 *   else console.warn(`${event.taskName} failed on ${event.backend} after ${took}`, event.error);
 * }
 * const compute = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) }, { onTaskSettled: logSettled });
 * ```
 */
export interface TaskSettledEvent extends TaskStartEvent {
  /** Milliseconds from handing the call to the backend until it settled. */
  durationMs: number;
  outcome: 'fulfilled' | 'rejected';
  /** The rejection, when `outcome` is `'rejected'`. */
  error?: unknown;
}

/**
 * Options for {@link createHybridCompute}.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute<typeof tasks>(
 *   { local: createLocalBackend({ tasks }), debug: createLocalBackend({ tasks, name: 'debug' }) },
 *   {
 *     order: ['local'], // 'debug' runs only when named: runTask('double', 21, 'debug')
 *     onTaskStart: ({ taskName, backend }) => console.log(`${taskName} started on ${backend}`),
 *     onTaskSettled: ({ taskName, outcome, durationMs }) => console.log(`${taskName} ${outcome} in ${durationMs} ms`),
 *   },
 * );
 * ```
 */
export interface HybridComputeOptions extends PlacementOptions {
  /**
   * The backends `'auto'` asks, in order. Replaces the default order (worker,
   * local, remote, then the others in insertion order); backends left out are
   * reachable only by an explicit strategy.
   */
  order?: readonly string[] | undefined;
  /**
   * Called each time a backend is handed a call (once per backend tried when
   * the router falls back). A call no backend takes (`NO_BACKEND`, bad
   * arguments) calls no hook. Exceptions a hook throws are ignored, so
   * observing a call never changes its outcome.
   */
  onTaskStart?: ((event: TaskStartEvent) => void) | undefined;
  /**
   * Called once for each `onTaskStart`: when the backend settles, or when the
   * call's timeout or signal ends it first (then `outcome` is `'rejected'` and
   * `error` is the abort reason). Exceptions it throws are ignored.
   */
  onTaskSettled?: ((event: TaskSettledEvent) => void) | undefined;
}

/**
 * The third argument of the router's `runTask`: a strategy, or options.
 *
 * @example
 * ```ts
 * function double(n: number, how: StrategyOrOptions = 'auto'): Promise<number> {
 *   return compute.runTask('double', n, how);
 * }
 * await double(21, 'local');
 * await double(21, { strategy: 'local', timeout: 1_000 });
 * ```
 */
export type StrategyOrOptions = ExecutionStrategy | RunOptions;

/**
 * `runTask` typed by task definitions: known names only, and each task's own
 * input and output types. Untyped routers take any name, as the seed's did.
 *
 * @example
 * ```ts
 * // compute = createHybridCompute<typeof tasks>(...); its runTask is bound, so it can be passed around
 * const runTask: HybridComputeRunTask<typeof tasks> = compute.runTask;
 * await runTask('double', 21); // Promise<number>
 * // @ts-expect-error: 'double' takes a number
 * await runTask('double', '21');
 * ```
 */
export type HybridComputeRunTask<Tasks> = unknown extends Tasks
  ? <Input, Output>(taskName: string, input: Input, strategy?: StrategyOrOptions) => Promise<Output>
  : <Name extends keyof TaskRegistryOf<Tasks> & string>(
      taskName: Name,
      input: TaskInputFor<Tasks, Name>,
      strategy?: StrategyOrOptions,
    ) => Promise<TaskOutputFor<Tasks, Name>>;

/**
 * The input `runTask` takes for task `Name` of a task collection type. For a
 * name typed as a union, the input must suit every task it may name (their
 * intersection), since any of them may run. Use it to type wrappers:
 *
 * @example
 * ```ts
 * function run<Name extends TaskNameOf<typeof tasks>>(name: Name, input: TaskInputFor<typeof tasks, Name>) {
 *   return compute.runTask(name, input, { timeout: 5_000 });
 * }
 * ```
 */
export type TaskInputFor<Tasks, Name extends keyof TaskRegistryOf<Tasks>> = (
  Name extends unknown ? (input: TaskInput<TaskRegistryOf<Tasks>[Name]>) => void : never
) extends (input: infer Input) => void
  ? Input
  : never;

/**
 * What `runTask` resolves with for task `Name` of a task collection type.
 *
 * @example
 * ```ts
 * type Greeting = TaskOutputFor<typeof tasks, 'greet'>; // string
 *
 * const greetings: Greeting[] = await Promise.all(['Ada', 'Grace'].map((name) => compute.runTask('greet', { name })));
 * ```
 */
export type TaskOutputFor<Tasks, Name extends keyof TaskRegistryOf<Tasks>> = TaskOutput<TaskRegistryOf<Tasks>[Name]>;

/**
 * Constructs a {@link HybridCompute}; the same as {@link createHybridCompute}.
 *
 * @example
 * ```ts
 * function makeRouter(Router: HybridComputeConstructor = HybridCompute): HybridCompute<typeof tasks> {
 *   return new Router<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * }
 * const compute = makeRouter();
 * ```
 */
export interface HybridComputeConstructor {
  new <Tasks = unknown>(backends: HybridComputeBackends, options?: HybridComputeOptions): HybridCompute<Tasks>;
  readonly prototype: HybridCompute<unknown>;
}

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
