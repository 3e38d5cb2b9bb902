import type { HybridCompute } from './create-hybrid-compute.js';
import type { CheckedBackends, InferredTasks } from './inferred-tasks.js';
import type { BackendLoad, RunTaskOptions, ComputeBackendLike, StreamTaskOptions, TaskChunk, TaskInput, TaskOutput, TaskRegistryOf } from './types.js';

/**
 * `'auto'`, or the name of one of the router's backends. A router that
 * infers its types from its backends takes only their names; one typed
 * explicitly (or given backends typed as a plain record) takes any string.
 *
 * @typeParam BackendName - the router's backend names; `string` when not known.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }), worker });
 * function strategyFor(n: number): ExecutionStrategy<'worker'> {
 *   return n > 1_000_000 ? 'worker' : 'auto'; // a backend's name, or 'auto'
 * }
 * await compute.runTask('double', 21, strategyFor(21));
 * ```
 */
export type ExecutionStrategy<BackendName extends string = string> = string extends BackendName ? 'auto' | (string & {}) : 'auto' | BackendName;

/**
 * The options form of `runTask`'s third argument.
 *
 * @typeParam BackendName - the router's backend names, which `strategy` may take; `string` when not known.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: RunOptions = { strategy: 'local', timeout: 5_000, signal: controller.signal };
 * const doubled = await compute.runTask('double', 21, options); // 42
 * ```
 */
export interface RunOptions<BackendName extends string = string> extends RunTaskOptions {
  /** `'auto'` (the default) or a backend's name. */
  strategy?: ExecutionStrategy<BackendName> | undefined;
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
 * const compute = createHybridCompute(
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
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }) }, { onTaskSettled: logSettled });
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
 * @typeParam BackendName - the router's backend names, which `order` may list; `string` when not known.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute(
 *   { local: createLocalBackend({ tasks }), debug: createLocalBackend({ tasks, name: 'debug' }) },
 *   {
 *     order: ['local'], // 'debug' runs only when named: runTask('double', 21, 'debug')
 *     onTaskStart: ({ taskName, backend }) => console.log(`${taskName} started on ${backend}`),
 *     onTaskSettled: ({ taskName, outcome, durationMs }) => console.log(`${taskName} ${outcome} in ${durationMs} ms`),
 *   },
 * );
 * ```
 */
export interface HybridComputeOptions<BackendName extends string = string> extends PlacementOptions {
  /**
   * The backends `'auto'` asks, in order. Replaces the default order (worker,
   * local, remote, then the others in insertion order); backends left out are
   * reachable only by an explicit strategy.
   */
  order?: readonly BackendName[] | undefined;
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
 * @typeParam BackendName - the router's backend names; `string` when not known.
 *
 * @example
 * ```ts
 * function double(n: number, how: StrategyOrOptions<'local' | 'worker'> = 'auto'): Promise<number> {
 *   return compute.runTask('double', n, how);
 * }
 * await double(21, 'local');
 * await double(21, { strategy: 'local', timeout: 1_000 });
 * ```
 */
export type StrategyOrOptions<BackendName extends string = string> = ExecutionStrategy<BackendName> | RunOptions<BackendName>;

/**
 * `runTask` typed by task definitions: known names only, and each task's own
 * input and output types. A task that takes no input (its input type admits
 * `undefined`, as `defineTask('now', () => ...)` makes it) may be called
 * without one. Untyped routers take any name, as the seed's did.
 *
 * @typeParam Tasks - the type of a task collection; `unknown` for an untyped router.
 * @typeParam BackendName - the router's backend names, which the strategy may take; `string` for any.
 *
 * @example
 * ```ts
 * // compute = createHybridCompute({ local: createLocalBackend({ tasks }) }); its runTask is bound, so it can be passed around
 * const runTask: HybridComputeRunTask<typeof tasks, 'local'> = compute.runTask;
 * await runTask('double', 21); // Promise<number>
 * await runTask('now'); // a task without input
 * // @ts-expect-error: 'double' takes a number
 * await runTask('double', '21');
 * ```
 */
export type HybridComputeRunTask<Tasks, BackendName extends string = string> = unknown extends Tasks
  ? <Input, Output>(taskName: string, input: Input, strategy?: StrategyOrOptions<BackendName>) => Promise<Output>
  : TypedRunTask<Tasks, BackendName>;

/**
 * The typed form of {@link HybridComputeRunTask}: one signature for tasks
 * that take an input, and one that lets a task without input leave it out.
 *
 * @typeParam Tasks - the type of a task collection.
 * @typeParam BackendName - the router's backend names; `string` for any.
 *
 * @example
 * ```ts
 * const runTask: TypedRunTask<typeof tasks, 'local'> = compute.runTask;
 * await runTask('now', undefined, { timeout: 1_000 }); // options after an input left out
 * ```
 */
export interface TypedRunTask<Tasks, BackendName extends string = string> {
  <Name extends keyof TaskRegistryOf<Tasks> & string>(
    taskName: Name,
    input: TaskInputFor<Tasks, Name>,
    strategy?: StrategyOrOptions<BackendName>,
  ): Promise<TaskOutputFor<Tasks, Name>>;
  <Name extends NoInputTaskNameOf<Tasks>>(
    taskName: Name,
    input?: undefined,
    strategy?: StrategyOrOptions<BackendName>,
  ): Promise<TaskOutputFor<Tasks, Name>>;
}

/**
 * The names of the tasks in a task collection type that take no input:
 * those whose input type admits `undefined`.
 *
 * @example
 * ```ts
 * type Bare = NoInputTaskNameOf<typeof tasks>; // 'now', from defineTask('now', () => Date.now())
 * await compute.runTask('now');
 * ```
 */
export type NoInputTaskNameOf<Tasks> = {
  [Name in keyof TaskRegistryOf<Tasks>]: undefined extends TaskInput<TaskRegistryOf<Tasks>[Name]> ? Name : never;
}[keyof TaskRegistryOf<Tasks>] &
  string;

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
 * Constructs a {@link HybridCompute}; the same as {@link createHybridCompute},
 * and typed the same way: from the backends, or by an explicit type argument.
 *
 * @example
 * ```ts
 * function makeRouter(Router: HybridComputeConstructor = HybridCompute) {
 *   return new Router({ local: createLocalBackend({ tasks }) }); // infers the tasks, as createHybridCompute does
 * }
 * const compute = makeRouter();
 * ```
 */
export interface HybridComputeConstructor {
  new <Tasks = never, Backends extends HybridComputeBackends = HybridComputeBackends>(
    backends: CheckedBackends<Backends>,
    options?: HybridComputeOptions<NoInfer<RouterBackendName<Tasks, Backends>>>,
  ): HybridCompute<RouterTasks<Tasks, Backends>, RouterBackendName<Tasks, Backends>>;
  readonly prototype: HybridCompute<unknown>;
}

/**
 * `streamTask` typed by task definitions: known names only, each task's
 * input type, and an iterable of its chunk type. Untyped routers take any name.
 *
 * @example
 * ```ts
 * const streamTask: HybridComputeStreamTask<typeof tasks> = compute.streamTask;
 * for await (const tile of streamTask('tiles', image)) draw(tile); // tile: the task's chunk type
 * ```
 */
export type HybridComputeStreamTask<Tasks> = unknown extends Tasks
  ? <Chunk = unknown>(taskName: string, input: unknown, strategy?: ExecutionStrategy | (RunOptions & StreamTaskOptions)) => AsyncIterable<Chunk>
  : <Name extends keyof TaskRegistryOf<Tasks> & string>(
      taskName: Name,
      input: TaskInputFor<Tasks, Name>,
      strategy?: ExecutionStrategy | (RunOptions & StreamTaskOptions),
    ) => AsyncIterable<TaskChunk<TaskRegistryOf<Tasks>[Name]>>;

/**
 * The tasks of a router: the explicit type argument when given, else those
 * inferred from its backends ({@link InferredTasks}).
 *
 * @typeParam Tasks - the explicit type argument; `never` when left out.
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * type Inferred = RouterTasks<never, { local: typeof local }>; // from the local backend's tasks
 * type Explicit = RouterTasks<typeof tasks, HybridComputeBackends>; // typeof tasks
 * ```
 */
export type RouterTasks<Tasks, Backends> = [Tasks] extends [never] ? InferredTasks<Backends> : Tasks;

/**
 * The backend names a router's strategy takes: those of its backends when
 * its tasks are inferred, any string when they are given explicitly (as
 * before inference existed, since TypeScript infers no type argument once one is given).
 *
 * @typeParam Tasks - the explicit type argument; `never` when left out.
 * @typeParam Backends - the type of the router's backends object.
 *
 * @example
 * ```ts
 * type Names = RouterBackendName<never, { local: typeof local; worker: typeof worker }>; // 'local' | 'worker'
 * ```
 */
export type RouterBackendName<Tasks, Backends> = [Tasks] extends [never]
  ? // Spelt out rather than BackendNameOf<Backends>, so that error messages list the names instead of the alias.
    { [Key in keyof Backends]-?: [Backends[Key]] extends [undefined] ? never : Key }[keyof Backends] & string
  : string;

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
