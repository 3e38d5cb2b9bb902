import {
  backendClosedError,
  CloseOnce,
  collectTasks,
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
 * Options for {@link createTemplateBackend}. Rename with the package, and add your engine's settings.
 *
 * @typeParam Tasks - the type of `tasks`, which types the backend for the router.
 */
export interface TemplateBackendOptions<Tasks extends TaskCollection = TaskCollection> {
  /** The tasks this backend can run: an array, a record or a module namespace of `defineTask` results. */
  tasks: Tasks;
}

/**
 * The skeleton of a backend. It "sends" each call to an engine that here is
 * only the calling thread, so that the package passes the conformance suite
 * the day it is copied. Replace {@link TemplateBackend.dispatch} with the call
 * to your engine, and keep the promises every backend makes: `runTask` never
 * throws synchronously, every call settles, errors are `ComputeError`s with
 * the codes in docs/architecture.md, and `BACKEND_UNAVAILABLE` means "try elsewhere".
 *
 * @example
 * ```ts
 * const backend = createTemplateBackend({ tasks: [double] });
 * await backend.runTask('double', 21); // 42
 * ```
 */
export class TemplateBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name = 'template';
  readonly #tasks: Map<string, AnyComputeTask>;
  // Release your engine's resources in here; close() runs it once, however often it is called.
  readonly #closer = new CloseOnce(() => undefined);

  constructor(options: TemplateBackendOptions) {
    this.#tasks = collectTasks(options.tasks);
  }

  /** Must be exact and must not throw: the router asks it before every call. */
  canRun(taskName: string): boolean {
    return !this.#closer.closed && this.#tasks.has(taskName);
  }

  /**
   * Runs a task on the engine. Core's lifecycle pieces keep the promises every
   * backend makes: `readRunOptions` refuses bad options with `INVALID_REQUEST`,
   * `runUnderDeadline` settles with `TASK_TIMEOUT` / `TASK_ABORTED` at the
   * call's deadline, and the error factories word errors as everywhere else.
   * A backend that sends calls out and gets answers later keeps them in a
   * `CallsInFlight` table instead, so that each settles once and `close()`
   * can reject what is left.
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: RunTaskOptions): Promise<Output> {
    if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
    const task = this.#tasks.get(taskName);
    if (task === undefined) return Promise.reject(taskNotFoundError(taskName, this.name, this.#tasks.keys()));
    let read: CallOptions;
    try {
      read = readRunOptions(taskName, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return runUnderDeadline(taskName, this.name, read, (signal) => this.dispatch(task, input, signal, read.onProgress)) as Promise<Output>;
  }

  /**
   * Streams a task's chunks (its `run` is an `async function*`). Core's
   * `streamTaskDefinition` runs it here; a real engine sends the chunks back
   * with flow control (at most `highWaterMark` on their way) and stops the
   * task where it runs when the loop breaks.
   */
  streamTask(taskName: string, input: unknown, options?: StreamTaskOptions): AsyncIterable<unknown> {
    return lazyStream(() => {
      if (this.#closer.closed) throw backendClosedError(this.name, taskName);
      const task = this.#tasks.get(taskName);
      if (task === undefined) throw taskNotFoundError(taskName, this.name, this.#tasks.keys());
      return streamTaskDefinition(task, input, readStreamOptions(taskName, options), this.name);
    });
  }

  /** Releases the engine's resources; calls after this reject with `BACKEND_UNAVAILABLE`. Safe to call twice. */
  close(): Promise<void> {
    return this.#closer.close();
  }

  /**
   * The one place that talks to the engine. Here the engine is the calling
   * thread, so core's in-process runner does the work: it wraps the task's
   * own failures as `TASK_FAILED` and settles the call as soon as `signal`
   * aborts. A real engine sends the call out instead, maps its failures to
   * `ComputeError` codes and stops the remote work when `signal` aborts.
   */
  protected dispatch(task: AnyComputeTask, input: unknown, signal: AbortSignal | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    return runTaskDefinition(task, input, signal, this.name, onProgress);
  }
}

/**
 * Creates the template backend. Rename it `create<Engine>Backend` when you copy the package.
 * It returns the backend typed by its tasks (`TypedBackend`), so that
 * `createHybridCompute({ template: backend })` infers their names, inputs and outputs.
 *
 * @typeParam Tasks - inferred from `tasks`.
 *
 * @example
 * ```ts
 * import { createTemplateBackend } from '@hybridcompute/backend-template';
 * import * as tasks from './tasks.js';
 *
 * const backend = createTemplateBackend({ tasks });
 * ```
 */
export function createTemplateBackend<const Tasks extends TaskCollection>(
  options: TemplateBackendOptions<Tasks>,
): TypedBackend<TemplateBackend, BackendTasksFrom<never, Tasks>> {
  return new TemplateBackend(options);
}
