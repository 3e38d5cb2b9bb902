import type { ComputeError } from '@hybridcompute/core';

/**
 * How the server stops one call from outside: the caller hung up or
 * cancelled, or the server shuts down. (Deadlines are core's
 * `runUnderDeadline`.) The AbortSignal is made only when something reads it
 * (a task that looks at `ctx.signal`, a backend given a signal): an eager
 * AbortController and its listeners cost about 11 µs a call on a busy
 * 2-core machine, a fifth of a no-op call over HTTP; the lazy path costs
 * under 1 µs.
 */
export class CallStop {
  #controller: AbortController | undefined;
  #reason: ComputeError | undefined;
  #onStop: ((reason: ComputeError) => void) | undefined;

  /** Why the call was stopped, once it was. */
  get reason(): ComputeError | undefined {
    return this.#reason;
  }

  /** The call's signal, made on first use (already aborted if the call was stopped). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Stops the call: aborts its signal, if made, and rejects {@link CallStop.settle}'s promise. The first reason wins. */
  stop(reason: ComputeError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#onStop?.(reason);
  }

  /** Settles with `work`, or rejects with the reason as soon as the call is stopped, even if the work ignores its signal. */
  settle<T>(work: Promise<T>): Promise<T> {
    if (this.#reason !== undefined) {
      work.then(undefined, () => {});
      return Promise.reject(this.#reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.#onStop = reject;
      work.then(resolve, reject);
    });
  }
}
