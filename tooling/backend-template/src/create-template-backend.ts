import {
  collectTasks,
  ComputeError,
  runTaskDefinition,
  type AnyComputeTask,
  type ComputeBackendInterface,
  type RunTaskOptions,
  type TaskCollection,
} from '@hybridcompute/core';

/** Options for {@link createTemplateBackend}. Rename with the package, and add your engine's settings. */
export interface TemplateBackendOptions {
  /** The tasks this backend can run: an array, a record or a module namespace of `defineTask` results. */
  tasks: TaskCollection;
}

/**
 * The skeleton of a backend. It "sends" each call to an engine that here is
 * only the calling thread, so that the package passes the conformance suite
 * the day it is copied. Replace {@link TemplateBackend.dispatch} with the call
 * to your engine, and keep the promises every backend makes: `runTask` never
 * throws synchronously, every call settles, errors are `ComputeError`s with
 * the codes in DESIGN.md, and `BACKEND_UNAVAILABLE` means "try elsewhere".
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
  #closed = false;

  constructor(options: TemplateBackendOptions) {
    this.#tasks = collectTasks(options.tasks);
  }

  /** Must be exact and must not throw: the router asks it before every call. */
  canRun(taskName: string): boolean {
    return !this.#closed && this.#tasks.has(taskName);
  }

  /** Runs a task on the engine; settles early with `TASK_ABORTED`/`TASK_TIMEOUT` when `options.signal` aborts. */
  runTask<Input, Output>(taskName: string, input: Input, options?: RunTaskOptions): Promise<Output> {
    if (this.#closed) {
      return Promise.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'The template backend is closed', taskName, backend: this.name }));
    }
    const task = this.#tasks.get(taskName);
    if (task === undefined) {
      return Promise.reject(new ComputeError({ code: 'TASK_NOT_FOUND', message: `No task '${taskName}' on the template backend`, taskName, backend: this.name }));
    }
    return this.dispatch(task, input, options?.signal) as Promise<Output>;
  }

  /** Releases the engine's resources; calls after this reject with `BACKEND_UNAVAILABLE`. */
  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  /**
   * The one place that talks to the engine. Here the engine is the calling
   * thread, so core's in-process runner does the work: it wraps the task's
   * own failures as `TASK_FAILED` and settles the call as soon as `signal`
   * aborts. A real engine sends the call out instead, maps its failures to
   * `ComputeError` codes and stops the remote work when `signal` aborts.
   */
  protected dispatch(task: AnyComputeTask, input: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    return runTaskDefinition(task, input, signal, this.name);
  }
}

/**
 * Creates the template backend. Rename it `create<Engine>Backend` when you copy the package.
 *
 * @example
 * ```ts
 * import { createTemplateBackend } from '@hybridcompute/backend-template';
 * import * as tasks from './tasks.js';
 *
 * const backend = createTemplateBackend({ tasks });
 * ```
 */
export function createTemplateBackend(options: TemplateBackendOptions): TemplateBackend {
  return new TemplateBackend(options);
}
