import type { HybridCompute } from './create-hybrid-compute.js';
import type { RunTaskOptions, ComputeBackendLike, StreamTaskOptions, TaskChunk, TaskInput, TaskOutput, TaskRegistryOf } from './types.js';

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
export interface HybridComputeOptions {
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
