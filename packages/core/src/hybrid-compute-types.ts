import type { HybridCompute } from './create-hybrid-compute.js';
import type { CheckedBackends, InferredTasks } from './inferred-tasks.js';
import type { PlacementOptions, PlacementReason } from './placement/placement-types.js';
import type { BackendLoad, RunTaskOptions, ComputeBackendLike, StreamTaskOptions, TaskChunk, TaskInput, TaskOutput, TaskRegistryOf } from './types.js';
import type { TracerLike } from './tracing/tracer-like.js';

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
  /**
   * An OpenTelemetry tracer (`trace.getTracer('my-app')` from
   * `@opentelemetry/api`): the router then makes a span for each call and a
   * client span for each attempt on a backend, active while the backend
   * starts it, so that the backends carry the trace on. Core takes the tracer
   * from you rather than importing the api: it has no dependencies. Without
   * one, calls do no tracing work at all.
   */
  tracer?: TracerLike | undefined;
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
 * The names of the tasks that stream (their `run` is an `async function*`,
 * or returns an async iterable): the only names a typed router's
 * `streamTask` takes.
 *
 * @example
 * ```ts
 * const tasks = { tiles, double }; // tiles is an async function*, double is not
 * type Streams = StreamingTaskName<typeof tasks>; // 'tiles'
 * ```
 */
export type StreamingTaskName<Tasks> = {
  [Name in keyof TaskRegistryOf<Tasks> & string]: [TaskChunk<TaskRegistryOf<Tasks>[Name]>] extends [never] ? never : Name;
}[keyof TaskRegistryOf<Tasks> & string];

/**
 * `streamTask` typed by task definitions: the names of tasks that stream
 * only (streaming a task that does not is `INVALID_REQUEST` at run time, and
 * a compile error here), each task's input type, and an iterable of its
 * chunk type. Untyped routers take any name.
 *
 * @example
 * ```ts
 * const streamTask: HybridComputeStreamTask<typeof tasks> = compute.streamTask;
 * for await (const tile of streamTask('tiles', image)) draw(tile); // tile: the task's chunk type
 * ```
 */
export type HybridComputeStreamTask<Tasks> = unknown extends Tasks
  ? <Chunk = unknown>(taskName: string, input: unknown, strategy?: ExecutionStrategy | (RunOptions & StreamTaskOptions)) => AsyncIterable<Chunk>
  : <Name extends StreamingTaskName<Tasks>>(
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
