/** Where a {@link WorkerStreamPump} sends its chunks. Internal. */
export interface StreamOutlet {
  /** Posts one chunk; throws when it cannot be cloned. */
  send(chunk: unknown): void;
  /** Posts several chunks, in order, in one message (primitives only: they always clone). */
  sendMany(chunks: unknown[]): void;
  /** Runs `callback` once the current task of the event loop is over. */
  later(callback: () => void): void;
}

/**
 * Runs a streaming task's generator inside a worker, as far as the pool's
 * credit allows: each chunk spends one credit, and with none left the
 * generator waits at its `yield` until the pool grants more (its reader read
 * some). An object chunk leaves as it is yielded: it is cloned (or its
 * buffers moved) before the generator runs on, so a generator that reuses a
 * buffer or an object sends what it held at the `yield`. Primitive chunks
 * (numbers, strings, ...), which nothing can change after the `yield`, leave
 * together, in one message, when the credit runs out, an object chunk or a
 * progress value comes, the stream ends, or the worker's event loop turns;
 * the order of everything is kept. `close` ends it early: the generator is
 * closed (its `finally` runs) as soon as it is not running, parked at a
 * `yield` included. Internal.
 */
export class WorkerStreamPump {
  /** Settles once: with the generator's return value, or what it threw, or the close reason. */
  readonly done: Promise<unknown>;
  readonly #stream: AsyncIterator<unknown, unknown>;
  readonly #outlet: StreamOutlet;
  #credit: number;
  #primitives: unknown[] | undefined;
  #flushScheduled = false;
  #pumping = false;
  #settled = false;
  #closing: { reason: unknown } | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;

  /** @param credit - chunks it may send before the first grant (the stream's highWaterMark). */
  constructor(stream: AsyncIterator<unknown, unknown>, credit: number, outlet: StreamOutlet) {
    this.#stream = stream;
    this.#credit = credit;
    this.#outlet = outlet;
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

  /** Sends the primitive chunks held back, before something else of the call goes (a progress value). */
  flush(): void {
    const chunks = this.#primitives;
    if (chunks === undefined) return;
    this.#primitives = undefined;
    this.#outlet.sendMany(chunks);
  }

  /** Stops the generator (the reader left, the call was aborted or timed out); `done` rejects with `reason`. */
  close(reason: unknown): void {
    if (this.#settled || this.#closing !== undefined) return;
    this.#closing = { reason };
    this.#primitives = undefined;
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
          // The chunks go before the answer, which the pool reads as the end.
          this.flush();
          this.#settle(true, step.value);
          return;
        }
        this.#credit--;
        const chunk = step.value;
        if (isBatchable(chunk)) {
          (this.#primitives ??= []).push(chunk);
          if (this.#credit === 0) this.flush();
          else if (!this.#flushScheduled) {
            this.#flushScheduled = true;
            this.#outlet.later(this.#flushLater);
          }
          continue;
        }
        try {
          this.flush();
          this.#outlet.send(chunk);
        } catch (error) {
          const reason = `a chunk the task yielded cannot be sent from the worker (${(error as Error | null)?.message ?? String(error)})`;
          this.#closing = { reason: new TypeError(`Unserializable chunk: ${reason}`) };
        }
      }
    } catch (error) {
      // The generator threw: it is finished, nothing to close; the chunks before the error still go.
      if (this.#closing === undefined) this.flush();
      this.#settle(false, error);
      return;
    } finally {
      this.#pumping = false;
    }
    if (this.#closing !== undefined) await this.#closeGenerator();
  }

  readonly #flushLater = (): void => {
    this.#flushScheduled = false;
    if (this.#closing === undefined) this.flush();
  };

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

// What cannot change after its `yield` and always clones (a symbol does not, so it goes alone and fails there).
function isBatchable(chunk: unknown): boolean {
  const kind = typeof chunk;
  return chunk === null || (kind !== 'object' && kind !== 'function' && kind !== 'symbol');
}
