/**
 * Runs a streaming task's generator inside a worker, as far as the pool's
 * credit allows: each chunk spends one credit, and with none left the
 * generator waits at its `yield` until the pool grants more (its reader read
 * some). Each chunk leaves as it is yielded: it is cloned (or its buffers
 * moved) before the generator runs on, so a generator that reuses a buffer
 * or an object sends what it held at the `yield`. `close` ends it early: the
 * generator is closed (its `finally` runs) as soon as it is not running,
 * parked at a `yield` included. Internal.
 */
export class WorkerStreamPump {
  /** Settles once: with the generator's return value, or what it threw, or the close reason. */
  readonly done: Promise<unknown>;
  readonly #stream: AsyncIterator<unknown, unknown>;
  readonly #send: (chunk: unknown) => void;
  #credit: number;
  #pumping = false;
  #settled = false;
  #closing: { reason: unknown } | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;

  /**
   * @param credit - chunks it may send before the first grant (the stream's highWaterMark).
   * @param send - posts one chunk to the pool; throws when it cannot be cloned.
   */
  constructor(stream: AsyncIterator<unknown, unknown>, credit: number, send: (chunk: unknown) => void) {
    this.#stream = stream;
    this.#credit = credit;
    this.#send = send;
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    void this.#pump();
  }

  /** The reader took `credit` more chunks: the generator may run that much further. */
  grant(credit: number): void {
    if (this.#settled || this.#closing !== undefined) return;
    this.#credit += credit;
    if (!this.#pumping) void this.#pump();
  }

  /** Stops the generator (the reader left, the call was aborted or timed out); `done` rejects with `reason`. */
  close(reason: unknown): void {
    if (this.#settled || this.#closing !== undefined) return;
    this.#closing = { reason };
    // A generator running now is closed when it next yields (its signal has aborted meanwhile).
    if (!this.#pumping) void this.#closeGenerator();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#credit > 0 && this.#closing === undefined) {
        const step = await this.#stream.next();
        if (this.#closing !== undefined) break;
        if (step.done === true) {
          this.#settle(true, step.value);
          return;
        }
        this.#credit--;
        try {
          this.#send(step.value);
        } catch (error) {
          const reason = `a chunk the task yielded cannot be sent from the worker (${(error as Error | null)?.message ?? String(error)})`;
          this.#closing = { reason: new TypeError(`Unserializable chunk: ${reason}`) };
        }
      }
    } catch (error) {
      // The generator threw: it is finished, nothing to close.
      this.#settle(false, error);
      return;
    } finally {
      this.#pumping = false;
    }
    if (this.#closing !== undefined) await this.#closeGenerator();
  }

  async #closeGenerator(): Promise<void> {
    try {
      await this.#stream.return?.(undefined);
    } catch {
      // A generator whose finally throws has still stopped.
    }
    this.#settle(false, this.#closing!.reason);
  }

  #settle(ok: boolean, value: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    if (ok) this.#resolve(value);
    else this.#reject(value);
  }
}
