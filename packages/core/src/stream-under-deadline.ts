import type { ComputeError } from './compute-error.js';
import { CallDeadline } from './lifecycle/call-deadline.js';
import type { CallOptions } from './lifecycle/read-run-options.js';

/**
 * Reads a backend's stream under the call's deadline, as the router's
 * `runTask` runs a call under it: the loop ends with `TASK_TIMEOUT` /
 * `TASK_ABORTED` the moment the timeout passes or the signal aborts, even
 * if the backend ignores both, and the backend's stream is then closed
 * (`return()`), so a task stuck between chunks still stops where it runs.
 * Without a timeout or a signal it gives back `stream` itself.
 *
 * @internal Used by the router; not part of the public API.
 */
export function streamUnderDeadline(stream: AsyncIterable<unknown>, taskName: string, backend: string | undefined, options: CallOptions): AsyncIterable<unknown> {
  if (options.signal === undefined && options.timeout === undefined) return stream;
  return new DeadlineStream(stream[Symbol.asyncIterator](), taskName, backend, options);
}

class DeadlineStream implements AsyncIterableIterator<unknown> {
  readonly #inner: AsyncIterator<unknown>;
  readonly #deadline: CallDeadline;
  // The reads waiting for a step (more than one when next() is called without awaiting), rejected at once when the deadline expires.
  readonly #waiting = new Set<(error: ComputeError) => void>();
  #done = false;

  constructor(inner: AsyncIterator<unknown>, taskName: string, backend: string | undefined, options: CallOptions) {
    this.#inner = inner;
    this.#deadline = new CallDeadline(taskName, backend, options, (error) => {
      // Reads waiting get the error now; without one, the next read does (below), and the reads after it the end.
      if (this.#waiting.size > 0) this.#done = true;
      for (const reject of this.#waiting) reject(error);
      // A backend that honours the deadline stops on its own, with its own outcome, in this turn of the event loop;
      // the close that follows stops one that does not (and is a no-op on a stream that has already ended).
      setTimeout(() => void this.#close(), 0);
    });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    const expired = this.#deadline.expired;
    if (expired !== undefined) {
      this.#done = true;
      return Promise.reject(expired);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.add(reject);
      this.#inner.next().then(
        (step) => {
          this.#waiting.delete(reject);
          if (step.done === true) this.#finish();
          resolve(step);
        },
        (error: unknown) => {
          this.#waiting.delete(reject);
          this.#finish();
          reject(error);
        },
      );
    });
  }

  async return(): Promise<IteratorResult<unknown>> {
    this.#finish();
    await this.#close();
    return { done: true, value: undefined };
  }

  #finish(): void {
    this.#done = true;
    this.#deadline.release();
  }

  async #close(): Promise<void> {
    try {
      await this.#inner.return?.();
    } catch {
      // A stream that fails as it closes has still stopped.
    }
  }
}
