import {
  backendClosedError,
  CloseOnce,
  collectTasks,
  invalidArgumentError,
  isComputeTask,
  lazyStream,
  readRunOptions,
  readStreamOptions,
  runTaskDefinition,
  runUnderDeadline,
  streamTaskDefinition,
  taskNotFoundError,
  type AnyComputeTask,
  type CallOptions,
  type ComputeBackendInterface,
  type RunTaskOptions,
  type StreamTaskOptions,
  type TaskCollection,
  type BackendTasksFrom,
  type TypedBackend,
} from '@hybridcompute/core';

/**
 * Options for {@link createLocalBackend}.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 *
 * const options: LocalBackendOptions = { tasks, name: 'in-process' };
 * const local = createLocalBackend(options); // its errors report backend: 'in-process'
 * ```
 *
 * @typeParam Tasks - the type of `tasks`, which types the backend for the router.
 */
export interface LocalBackendOptions<Tasks extends TaskCollection = TaskCollection> {
  /** The tasks to register: an array, a record or a module namespace of `defineTask` results. */
  tasks?: Tasks | undefined;
  /** The name errors report as their `backend`. Default `'local'`. */
  name?: string | undefined;
}

/**
 * Runs tasks in the calling thread. The simplest backend, the fallback of
 * last resort for a router, and the reference the conformance suite is
 * written against.
 *
 * @example
 * ```ts
 * const local = new LocalBackend({ tasks: [double] });
 * await local.runTask('double', 21); // 42
 * ```
 */
export class LocalBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name: string;
  readonly #tasks: Map<string, AnyComputeTask>;
  readonly #closer = new CloseOnce(noop);

  constructor(options: LocalBackendOptions = {}) {
    this.name = options.name ?? 'local';
    this.#tasks = options.tasks === undefined ? new Map() : collectTasks(options.tasks);
  }

  /** The names of the registered tasks. */
  get taskNames(): string[] {
    return [...this.#tasks.keys()];
  }

  /**
   * Registers one more task.
   *
   * @throws TypeError (code `INVALID_REQUEST`) when `task` is not a task
   * definition, or another task already has its name.
   */
  registerTask(task: AnyComputeTask): this {
    if (!isComputeTask(task)) {
      throw invalidArgumentError('registerTask: expected a task definition { name, run } (use defineTask)');
    }
    collectTasks([task], this.#tasks);
    return this;
  }

  /** Whether a task of that name is registered. */
  canRun(taskName: string): boolean {
    return !this.#closer.closed && this.#tasks.has(taskName);
  }

  /**
   * Runs the task in this thread.
   *
   * Rejects (never throws) with `TASK_NOT_FOUND` for an unknown task, with
   * `TASK_FAILED` (the task's error as `cause`) when it throws, with
   * `TASK_ABORTED` / `TASK_TIMEOUT` as soon as `options.signal` aborts or
   * `options.timeout` passes, even if the task ignores its signal and keeps
   * running, with `INVALID_REQUEST` (a `TypeError`) for bad options, and with
   * `BACKEND_UNAVAILABLE` once the backend is closed.
   *
   * A synchronous task runs to its end before any deadline can fire: the
   * thread is busy. Offload long synchronous work to a worker backend.
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: RunTaskOptions): Promise<Output> {
    if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
    const task = this.#tasks.get(taskName);
    if (task === undefined) return Promise.reject(taskNotFoundError(taskName, this.name, this.#tasks.keys()));
    if (options === undefined) return runTaskDefinition<Output>(task, input, undefined, this.name);
    let read: CallOptions;
    try {
      read = readRunOptions(taskName, options);
    } catch (error) {
      return Promise.reject(error);
    }
    // A signal alone is cheaper through runTaskDefinition, which settles on it without a deadline.
    if (read.timeout === undefined) return runTaskDefinition<Output>(task, input, read.signal, this.name, read.onProgress);
    return runUnderDeadline(taskName, this.name, read, (signal) => runTaskDefinition<Output>(task, input, signal, this.name, read.onProgress));
  }

  /**
   * Runs a streaming task (an `async function*`) in this thread and yields
   * its chunks. The task runs only as far as the loop reads: it waits at
   * each `yield`. Leaving the loop closes the generator (its `finally`
   * blocks run) and aborts its signal. Errors reject the loop's next step,
   * with the same codes as `runTask`; a task that does not stream rejects
   * with `INVALID_REQUEST`.
   *
   * @example
   * ```ts
   * for await (const line of local.streamTask('lines', file)) console.log(line);
   * ```
   */
  streamTask(taskName: string, input: unknown, options?: StreamTaskOptions): AsyncIterable<unknown> {
    return lazyStream(() => {
      if (this.#closer.closed) throw backendClosedError(this.name, taskName);
      const task = this.#tasks.get(taskName);
      if (task === undefined) throw taskNotFoundError(taskName, this.name, this.#tasks.keys());
      return streamTaskDefinition(task, input, readStreamOptions(taskName, options), this.name);
    });
  }

  /**
   * Refuses new calls from now on (`BACKEND_UNAVAILABLE`). Calls already
   * running in this thread finish on their own: nothing here can stop them.
   * Calling it again returns the same promise.
   */
  close(): Promise<void> {
    return this.#closer.close();
  }
}

/**
 * Creates a backend that runs tasks in the calling thread.
 *
 * The backend carries the types of `tasks`, so that `createHybridCompute({ local })`
 * infers the task names, inputs and outputs. Without `tasks` it carries none, and
 * a router using it takes any task name; tasks added later with `registerTask`
 * are not in the types either (declare them in `tasks`, or type the router
 * explicitly with `createHybridCompute<typeof tasks>`).
 *
 * @param options - `tasks` (array, record or module namespace of `defineTask` results) and an optional `name`.
 * @typeParam Tasks - inferred from `tasks`.
 * @throws TypeError (code `INVALID_REQUEST`) when `tasks` holds something that is not a task, or two tasks share a name.
 *
 * @example
 * ```ts
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const local = createLocalBackend({ tasks });
 * await local.runTask('double', 21); // 42
 * const compute = createHybridCompute({ local }); // compute.runTask('double', 21): Promise<number>
 * ```
 */
export function createLocalBackend<const Tasks extends TaskCollection = TaskCollection>(
  options: LocalBackendOptions<Tasks> = {},
): TypedBackend<LocalBackend, BackendTasksFrom<never, Tasks>> {
  return new LocalBackend(options);
}

function noop(): void {}
