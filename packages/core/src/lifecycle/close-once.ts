/**
 * Makes `close()` idempotent: the first call runs the shutdown, every call
 * returns the same promise, and {@link CloseOnce.closed} turns true at once,
 * so new calls are refused while the shutdown is still running.
 *
 * @example
 * ```ts
 * class MyBackend {
 *   readonly #closer = new CloseOnce(() => this.#pool.destroy());
 *   runTask(taskName: string) {
 *     if (this.#closer.closed) return Promise.reject(backendClosedError('mine', taskName));
 *     // ...
 *   }
 *   close(): Promise<void> {
 *     return this.#closer.close();
 *   }
 * }
 * ```
 */
export class CloseOnce {
  readonly #shutdown: () => unknown;
  #closing: Promise<void> | undefined;

  constructor(shutdown: () => unknown) {
    this.#shutdown = shutdown;
  }

  /** Whether `close()` was called (the shutdown may still be running). */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Runs the shutdown once; resolves when it is done, or rejects with its error, on every call. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      // Through a promise, so that a shutdown that throws synchronously still gives every caller a rejection.
      this.#closing = new Promise<void>((resolve) => resolve(this.#shutdown() as Promise<void>)).then(noop);
    }
    return this.#closing;
  }
}

function noop(): void {}
