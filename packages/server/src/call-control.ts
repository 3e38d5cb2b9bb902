import type { ComputeError } from '@hybridcompute/core';

/**
 * How the server stops one call: on its deadline, when the caller goes away,
 * or at shutdown. The AbortSignal is made only when something needs it (a
 * task that reads `ctx.signal`, a backend given a signal): Node's signals
 * cost microseconds each, a real share of a no-op call.
 */
export class CallControl {
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

  /** Stops the call: aborts its signal, if made, and rejects {@link settle}'s promise. The first reason wins. */
  stop(reason: ComputeError): void {
    if (this.#reason !== undefined) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#onStop?.(reason);
  }

  /** Settles with `work`, or rejects with the reason as soon as the call is stopped. */
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
