import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { InProcessTaskContext } from './in-process-task-context.js';
import { CallDeadline } from './lifecycle/call-deadline.js';
import type { CallOptions } from './lifecycle/read-run-options.js';
import { taskFailedError } from './task-failed-error.js';
import { isStreamingTask, isTaskStream } from './task-stream.js';
import type { AnyComputeTask } from './types.js';

/**
 * Runs a streaming task (its `run` is an `async function*`) in this thread
 * and yields its chunks, the way every in-process runner should:
 *
 * - the task starts on the first `next()`, and runs only as far as it is
 *   read: it waits at each `yield` until the next chunk is asked for;
 * - leaving the loop (`break`, `return`, a throw in its body) closes the
 *   generator, so its `finally` blocks run, and aborts its `context.signal`;
 * - the call's `timeout` and `signal` end the stream with `TASK_TIMEOUT` /
 *   `TASK_ABORTED` at once, even if the task is stuck between chunks;
 * - a task that throws after some chunks fails the iteration with
 *   `TASK_FAILED` once those chunks have been read.
 *
 * @param options - the call's checked options (see `readRunOptions`).
 * @param backend - the name errors report as their `backend`.
 *
 * @example
 * ```ts
 * streamTask(taskName: string, input: unknown, options?: StreamTaskOptions): AsyncIterable<unknown> {
 *   return streamTaskDefinition(this.#tasks.get(taskName)!, input, readRunOptions(taskName, options), this.name);
 * }
 * ```
 */
export function streamTaskDefinition(task: AnyComputeTask, input: unknown, options: CallOptions, backend: string): AsyncIterableIterator<unknown> {
  return new InProcessStream(task, input, options, backend);
}

class InProcessStream implements AsyncIterableIterator<unknown> {
  readonly #task: AnyComputeTask;
  readonly #input: unknown;
  readonly #options: CallOptions;
  readonly #backend: string;
  readonly #controller = new AbortController();
  #context: InProcessTaskContext | undefined;
  #deadline: CallDeadline | undefined;
  #stream: AsyncIterator<unknown, unknown> | undefined;
  #finished = false;
  #failure: ComputeError | undefined;
  // The reads waiting for a step (more than one when next() is called without awaiting): the deadline rejects each.
  readonly #waiting = new Set<(error: ComputeError) => void>();

  constructor(task: AnyComputeTask, input: unknown, options: CallOptions, backend: string) {
    this.#task = task;
    this.#input = input;
    this.#options = options;
    this.#backend = backend;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<unknown>> {
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      this.#finished = true;
      throw failure;
    }
    if (this.#finished) return { done: true, value: undefined };
    const stream = this.#stream ?? this.#start();
    let step: IteratorResult<unknown>;
    try {
      step = await this.#untilExpiry(stream.next());
    } catch (error) {
      this.#finish();
      throw ComputeError.isInstance(error) && this.#deadline?.expired === error ? error : taskFailedError(this.#task.name, this.#backend, error);
    }
    if (step.done === true) {
      this.#finish();
      return { done: true, value: undefined };
    }
    return { done: false, value: step.value };
  }

  async return(): Promise<IteratorResult<unknown>> {
    if (!this.#finished) {
      this.#finish();
      this.#controller.abort(new ComputeError({ code: 'TASK_ABORTED', message: `The reader of task '${this.#task.name}' stopped reading`, taskName: this.#task.name, backend: this.#backend }));
      await this.#close();
    }
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<unknown>> {
    await this.return();
    throw error;
  }

  #start(): AsyncIterator<unknown, unknown> {
    const task = this.#task;
    const options = this.#options;
    const signal = options.signal;
    if (signal?.aborted === true) throw abortErrorFrom(signal.reason, task.name, this.#backend);
    if (!isStreamingTask(task) && task.run.constructor?.name === 'AsyncFunction') throw notAStream(task.name, this.#backend);
    this.#context = new InProcessTaskContext(this.#controller.signal, options.onProgress);
    if (signal !== undefined || options.timeout !== undefined) {
      this.#deadline = new CallDeadline(task.name, this.#backend, options, (error) => {
        this.#controller.abort(error);
        void this.#close();
        if (this.#waiting.size === 0) this.#failure = error;
        for (const reject of this.#waiting) reject(error);
      });
    }
    let result: unknown;
    try {
      result = task.run(this.#input, this.#context);
    } catch (error) {
      this.#finish();
      throw taskFailedError(task.name, this.#backend, error);
    }
    if (!isTaskStream(result)) {
      this.#finish();
      throw notAStream(task.name, this.#backend);
    }
    this.#stream = result;
    return result;
  }

  // A chunk, or the deadline's error the moment it passes, whichever comes first.
  #untilExpiry(step: Promise<IteratorResult<unknown>>): Promise<IteratorResult<unknown>> {
    if (this.#deadline === undefined) return step;
    return new Promise((resolve, reject) => {
      this.#waiting.add(reject);
      step.then(resolve, reject).finally(() => this.#waiting.delete(reject));
    });
  }

  #finish(): void {
    this.#finished = true;
    this.#deadline?.release();
    this.#context?.settle();
  }

  async #close(): Promise<void> {
    try {
      await this.#stream?.return?.();
    } catch {
      // A generator whose finally throws has still stopped.
    }
  }
}

function notAStream(taskName: string, backend: string): ComputeError {
  return new ComputeError({
    code: 'INVALID_REQUEST',
    message: `Task '${taskName}' does not stream: its run is not an async generator (async function*); use runTask`,
    taskName,
    backend,
  });
}
