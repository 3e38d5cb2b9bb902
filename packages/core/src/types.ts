import type { NamedTask } from './typed-backend.js';

/**
 * The third argument of every backend's `runTask`, with the same meaning on
 * every backend and the router. Bad values reject with `INVALID_REQUEST`
 * (see `readRunOptions`).
 *
 * @example
 * ```ts
 * const local = createLocalBackend({ tasks });
 * const options: RunTaskOptions = { signal: AbortSignal.timeout(1_000) };
 * await local.runTask('double', 21, options); // rejects with TASK_TIMEOUT if the task takes longer
 * ```
 */
export interface RunTaskOptions {
  /**
   * Aborts the call: it rejects with `TASK_ABORTED` (or `TASK_TIMEOUT` when
   * the reason is a timeout) and the work is told to stop. `null` means none.
   */
  signal?: AbortSignal | null | undefined;
  /**
   * Milliseconds from the call until it rejects with `TASK_TIMEOUT` and the
   * work is told to stop: a number from 0 to `maxTimerDelay`. Backends that
   * count only run time (a worker pool) say so.
   */
  timeout?: number | undefined;
  /**
   * Receives each value the task passes to `context.progress`, in order,
   * before the call settles. Exceptions it throws are ignored. It may
   * return a promise to pace the task: where the task runs in this thread or
   * on the worker pool, the task's `await context.progress(...)` waits until
   * that promise settles (on the pool, values reported meanwhile without
   * waiting are coalesced, latest wins). See the core README, "Progress flow
   * control".
   */
  onProgress?: ((value: unknown) => void) | undefined;
}

/**
 * Options of `streamTask`: those of `runTask`, and how many chunks may be
 * on their way between the task and the loop that reads them.
 *
 * @example
 * ```ts
 * for await (const tile of compute.streamTask('tiles', image, { highWaterMark: 4, timeout: 60_000 })) draw(tile);
 * ```
 */
export interface StreamTaskOptions extends RunTaskOptions {
  /**
   * Chunks produced but not yet read, at most: a loop that stops reading
   * pauses the task at its next `yield`. Default 16.
   */
  highWaterMark?: number | undefined;
}

/**
 * Represents a backend capable of executing registered compute tasks: the
 * interface of the project hybrid-compute grew out of, unchanged, plus an
 * optional third argument.
 *
 * Each backend must be able to:
 * - Determine if it can run a given task (`canRun`)
 * - Execute a named task with input and return a Promise of output (`runTask`)
 *
 * Backends may add optional members such as `close()` and `stats()`; nothing in
 * core requires them.
 *
 * @example
 * ```ts
 * const backend: ComputeBackendInterface = {
 *   canRun: (taskName) => taskName === 'double',
 *   runTask: async (taskName, input): Promise<any> => {
 *     if (taskName === 'double') return (input as number) * 2;
 *     throw new Error('Unknown task');
 *   },
 * };
 * ```
 */
export interface ComputeBackendInterface {
  /** Whether this backend can run the task named `taskName` now. Must not throw. */
  canRun(taskName: string): boolean;
  /**
   * Runs the task and settles with its output. Failures reject (never throw
   * synchronously), ideally with a `ComputeError`.
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: RunTaskOptions): Promise<Output>;
}

/**
 * What the router accepts as a backend: anything with `canRun` and `runTask`,
 * including object literals whose `runTask` returns a concrete type and routers
 * typed by their tasks (see {@link ComputeBackendInterface}).
 *
 * @example
 * ```ts
 * const doubler: ComputeBackendLike = {
 *   canRun: (taskName) => taskName === 'double',
 *   runTask: async (taskName, input: number) => {
 *     if (taskName !== 'double') throw new ComputeError({ code: 'TASK_NOT_FOUND', taskName, backend: 'doubler' });
 *     return input * 2; // a concrete return type is fine here, unlike ComputeBackendInterface
 *   },
 * };
 * const compute = createHybridCompute({ doubler });
 * ```
 */
export interface ComputeBackendLike {
  canRun(taskName: string): boolean;
  runTask(taskName: string, input: any, options?: RunTaskOptions): Promise<unknown>;
  /** Optional: releases the backend's resources; the router's `close()` calls it. */
  close?(): unknown;
  /**
   * Optional: the names of the tasks this backend has, where it can list
   * them. The router uses them to say which tasks exist when none fits, and
   * a server lists them on `GET /tasks`.
   */
  readonly taskNames?: readonly string[] | undefined;
  /**
   * Optional: `true` while the backend is still starting (a worker pool
   * before its handshake), so that a router can say so when it cannot place a call.
   */
  readonly starting?: boolean | undefined;
  /**
   * Optional: runs a streaming task (an `async function*`) and yields its
   * chunks. Leaving the loop early stops the task where it runs. A backend
   * without it cannot stream.
   */
  streamTask?(taskName: string, input: any, options?: StreamTaskOptions): AsyncIterable<unknown>;
  /**
   * Optional: how busy the backend is now ({@link BackendLoad}). The router's
   * `'auto'` placement reads it to estimate how long a call would wait here.
   */
  load?(): BackendLoad;
}

/**
 * How busy a backend is, as its optional `load()` reports it: the calls it is
 * running, how many it can run at once, and how many wait for a free slot.
 * A backend that cannot know its capacity (a shared queue) leaves `load` out;
 * docs/architecture.md ("Placement") says what the router assumes then.
 *
 * @example
 * ```ts
 * const backend: ComputeBackendLike = {
 *   canRun: (taskName) => taskName === 'double',
 *   runTask: async (_taskName, input: number) => input * 2,
 *   load: (): BackendLoad => ({ inFlight: 0, capacity: 4, queued: 0, parallelism: 2 }),
 * };
 * ```
 */
export interface BackendLoad {
  /** Calls running now. */
  inFlight: number;
  /** Calls it can run at once (workers x tasks per worker; a server's advertised limit). */
  capacity: number;
  /** Calls waiting for a free slot, when it queues them. */
  queued?: number | undefined;
  /**
   * Calls that make progress at the same time, when fewer than `capacity`:
   * a worker pool accepts `concurrentTasksPerWorker` calls per worker to hide
   * the round trip, yet each worker runs one synchronous task at a time.
   * Placement models the wait for a slot with this (default: `capacity`).
   */
  parallelism?: number | undefined;
}

/**
 * What a task's `run` receives besides its input.
 *
 * @example
 * ```ts
 * export const fetchJson = defineTask('fetchJson', async (url: string, { signal }: TaskContext) => {
 *   const response = await fetch(url, { signal }); // cancelled along with the call
 *   return (await response.json()) as unknown;
 * });
 * ```
 */
export interface TaskContext {
  /** Aborted when the caller cancels the call or its timeout passes. */
  readonly signal: AbortSignal;
  /**
   * Reports progress: the caller's `onProgress` receives each value, in
   * order, on every backend. Values travel as the task's results do. It
   * does nothing when nobody listens.
   *
   * The promise it returns resolves (never rejects) once the value is
   * within the transport's window. A task that awaits it is paced by the
   * slowest link and every value arrives; a task that does not await may
   * report as fast as it likes: while the window is full, the values not yet
   * sent are coalesced, latest wins, so memory stays bounded, order is kept,
   * and the last value reported before the result arrives before it.
   *
   * @example
   * ```ts
   * const count = defineTask('count', async (n: number, ctx: TaskContext) => {
   *   for (let i = 1; i <= n; i++) await ctx.progress(i / n); // paced: every value arrives
   *   return n;
   * });
   * ```
   */
  readonly progress: (value: unknown) => Promise<void>;
}

/**
 * A named unit of work: the same definition runs on every backend.
 * Create one with `defineTask`.
 *
 * @typeParam Input - what `run` takes.
 * @typeParam Output - what `run` produces (possibly through a promise).
 * @typeParam Name - the task's name as a string literal type.
 *
 * @example
 * ```ts
 * const double: ComputeTaskInterface<number, number, 'double'> = defineTask('double', (n: number) => n * 2);
 * // a plain object of the same shape is a task too; defineTask also checks and freezes it
 * const triple: ComputeTaskInterface<number, number, 'triple'> = { name: 'triple', run: (n) => n * 3 };
 * ```
 */
export interface ComputeTaskInterface<Input = any, Output = any, Name extends string = string> {
  /** The name callers use in `runTask`. */
  readonly name: Name;
  /** Does the work. May be sync or async. */
  run(input: Input, context: TaskContext): Output | Promise<Output>;
}

/**
 * A task definition of any input, output and name.
 *
 * @example
 * ```ts
 * function describeTasks(list: readonly AnyComputeTask[]): string {
 *   return list.map((task) => task.name).join(', ');
 * }
 * describeTasks([tasks.double, tasks.greet]); // 'double, greet'
 * ```
 */
export type AnyComputeTask = ComputeTaskInterface<any, any, string>;

/**
 * The forms a set of tasks may take wherever tasks are registered: an array
 * of definitions, a record of them, or a module namespace (`import * as tasks`).
 * Entries that are not task definitions are ignored, so a module may export
 * helpers beside its tasks.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 *
 * const fromModule: TaskCollection = tasks; // a module namespace
 * const fromArray: TaskCollection = [tasks.double, tasks.greet]; // an array
 * const fromRecord: TaskCollection = { double: tasks.double }; // a record
 * const local = createLocalBackend({ tasks: fromArray });
 * ```
 */
export type TaskCollection = readonly AnyComputeTask[] | { readonly [key: string]: unknown };

/**
 * Task definitions keyed by task name, derived from a {@link TaskCollection}
 * type. This is what types the router's `runTask`. Only tasks whose name is a
 * string literal (as `defineTask` keeps it) take part: one typed as plain
 * `string` would make every name valid.
 *
 * @example
 * ```ts
 * type Registry = TaskRegistryOf<typeof tasks>; // { readonly double: typeof tasks.double; readonly greet: typeof tasks.greet }
 * type Double = Registry['double'];
 * ```
 */
export type TaskRegistryOf<Tasks> =
  Tasks extends MergedTasks<infer Collections>
    ? { [Task in UnshadowedDefinitions<DefinitionsOf<Collections>> as LiteralName<Task['name']>]: Task }
    : Tasks extends readonly AnyComputeTask[]
      ? { [Task in Tasks[number] as LiteralName<Task['name']>]: Task }
      : { [Key in keyof Tasks as Tasks[Key] extends AnyComputeTask ? LiteralName<Tasks[Key]['name']> : never]: Tasks[Key] };

/**
 * The tasks of several task collections as one: what a router infers from
 * its backends (`Collections` is the union of their collection types, such as
 * `typeof localTasks | typeof workerTasks`). {@link TaskRegistryOf} keys it by
 * task name; a name several definitions share maps to their union, and a task
 * known by name only ({@link NamedTask}) gives way to a definition of it. It is
 * a type-level wrapper with no value: it keeps the compiler from walking every
 * task's types again on each `runTask` call.
 *
 * @typeParam Collections - a union of task collection types.
 *
 * @example
 * ```ts
 * type Both = MergedTasks<typeof localTasks | typeof workerTasks>;
 * type Names = TaskNameOf<Both>; // the names of both modules' tasks
 * const compute: HybridCompute<Both, 'local' | 'worker'> = createHybridCompute({ local, worker });
 * ```
 */
export interface MergedTasks<Collections> {
  /** Type-level only (never set): the collections merged. */
  readonly '~merged': Collections;
}

type DefinitionsOf<Collections> = Collections extends readonly unknown[]
  ? Extract<Collections[number], AnyComputeTask>
  : Extract<Collections[keyof Collections], AnyComputeTask>;

type UnshadowedDefinitions<Definitions extends AnyComputeTask, Defined = Exclude<Definitions, NamedTask<string>>['name']> =
  Definitions extends NamedTask<infer Name> ? (Name extends Defined ? never : Definitions) : Definitions;

type LiteralName<Name extends string> = string extends Name ? never : Name;

/**
 * The names of the tasks in a {@link TaskCollection} type.
 *
 * @example
 * ```ts
 * type Name = TaskNameOf<typeof tasks>; // 'double' | 'greet'
 *
 * const names: Name[] = ['double', 'greet'];
 * for (const name of names) console.log(name, compute.canRun(name));
 * ```
 */
export type TaskNameOf<Tasks> = keyof TaskRegistryOf<Tasks> & string;

/**
 * The input type of a task definition.
 *
 * @example
 * ```ts
 * type GreetInput = TaskInput<typeof tasks.greet>; // { name: string }
 *
 * const input: GreetInput = { name: 'Ada' };
 * await compute.runTask('greet', input);
 * ```
 */
export type TaskInput<Task> = Task extends { run(input: infer Input, ...rest: any[]): unknown } ? Input : never;

/**
 * The output type of a task definition, promises unwrapped; for a
 * streaming task (an `async function*`), its generator's return value.
 *
 * @example
 * ```ts
 * type GreetOutput = TaskOutput<typeof tasks.greet>; // string: the task's promise unwrapped
 *
 * const greeting: GreetOutput = await tasks.greet.run({ name: 'Ada' }, { signal: new AbortController().signal, progress: async () => {} });
 * ```
 */
export type TaskOutput<Task> = Task extends { run(...args: any[]): infer Output } ? ResultOf<Awaited<Output>> : never;

// A streaming task's runTask result is its generator's return value; tuples keep the check from distributing.
type ResultOf<Value> = [Value] extends [AsyncGenerator<any, infer Returned, any>] ? Returned : Value;

/**
 * What a streaming task (an `async function*`) yields: the type of the
 * chunks `streamTask` gives; `never` for a task that does not stream.
 *
 * @example
 * ```ts
 * const tiles = defineTask('tiles', async function* (image: Image) { for (const tile of split(image)) yield tile; });
 * type Tile = TaskChunk<typeof tiles>; // the type of `tile`
 * ```
 */
export type TaskChunk<Task> = Task extends { run(...args: any[]): infer Output }
  ? [Awaited<Output>] extends [AsyncIterable<infer Chunk>]
    ? Chunk
    : never
  : never;
