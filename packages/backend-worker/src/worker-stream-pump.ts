/** The clocks of a {@link WorkerStreamPump} (ms). Internal. */
export interface PumpTiming {
  readonly holdForMs: number;
  readonly bigCopyMs: number;
}

/** Where a {@link WorkerStreamPump} sends its chunks. Internal. */
export interface StreamOutlet {
  /** Posts one chunk (its `transfer()` list moves with it); throws when it cannot be cloned. */
  send(chunk: unknown): void;
  /** Posts several chunks, in order, in one message: primitives, and copies taken at their `yield`. */
  sendMany(chunks: unknown[]): void;
  /** Whether `chunk` was marked with `transfer()`: its buffers move, so it leaves alone, at its `yield`. */
  moves(chunk: unknown): boolean;
  /** Runs `callback` once the current task of the event loop is over. */
  later(callback: () => void): void;
}

/**
 * Runs a streaming task's generator inside a worker, as far as the pool's
 * credit allows: each chunk spends one credit, and with none left the
 * generator waits at its `yield` until the pool grants more (its reader read
 * some). Chunks leave several to a message, since a message costs both
 * threads far more than a small chunk does: they are held until the credit
 * runs out, a progress value comes, the stream ends, the worker's event
 * loop turns, or (four at least) the first of them has waited 10 µs, so
 * that the reader starts on chunks that are slow to make while the
 * generator makes more; in order. A held object chunk is a copy taken at
 * its `yield` (`structuredClone`), so a generator that reuses an object or a
 * buffer sends what it held then. Chunks marked with `transfer()` leave
 * alone at their `yield`, their buffers moved, and so do big binary chunks
 * and a stream's object chunks once two in a row prove big (copying them
 * twice would cost more than their message).
 * `close` ends it early: the generator is closed (its `finally` runs) as soon
 * as it is not running, parked at a `yield` included. Internal.
 */
export class WorkerStreamPump {
  /** Settles once: with the generator's return value, or what it threw, or the close reason. */
  readonly done: Promise<unknown>;
  readonly #stream: AsyncIterator<unknown, unknown>;
  readonly #outlet: StreamOutlet;
  #credit: number;
  // Chunks waiting to leave together: primitives, and copies of object chunks.
  #held: unknown[] | undefined;
  // Whether object chunks are copied and held; false once one proved big, or without structuredClone.
  #holdObjects = typeof structuredClone === 'function';
  #slowCopies = 0;
  // When the first of the chunks held now was taken (performance.now()).
  #heldSince = 0;
  readonly #holdForMs: number;
  readonly #bigCopyMs: number;
  #flushScheduled = false;
  #pumping = false;
  #settled = false;
  #closing: { reason: unknown } | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;

  /**
   * @param credit - chunks it may send before the first grant (the stream's highWaterMark).
   * @param timing - how long the first of the chunks held may wait while the generator makes more,
   *   and how long a copy may take before it shows a big chunk (ms; tests pin them).
   */
  constructor(stream: AsyncIterator<unknown, unknown>, credit: number, outlet: StreamOutlet, timing: PumpTiming = defaultTiming) {
    this.#stream = stream;
    this.#holdForMs = timing.holdForMs;
    this.#bigCopyMs = timing.bigCopyMs;
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

  /** Sends the chunks held back, before something else of the call goes (a progress value). */
  flush(): void {
    const chunks = this.#held;
    if (chunks === undefined) return;
    this.#held = undefined;
    this.#outlet.sendMany(chunks);
  }

  /** Stops the generator (the reader left, the call was aborted or timed out); `done` rejects with `reason`. */
  close(reason: unknown): void {
    if (this.#settled || this.#closing !== undefined) return;
    this.#closing = { reason };
    this.#held = undefined;
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
        this.#take(step.value);
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

  // One chunk the generator yielded: held to leave with others, or sent now.
  #take(chunk: unknown): void {
    let held = chunk;
    if (!isPrimitive(chunk)) {
      if (!this.#holdObjects || this.#outlet.moves(chunk) || isBigBinary(chunk)) return this.#sendAlone(chunk);
      const startedAt = performance.now();
      try {
        held = structuredClone(chunk);
      } catch (error) {
        return this.#refuse(error);
      }
      if (performance.now() - startedAt > this.#bigCopyMs) {
        // Twice in a row, so that a copy slowed by a busy machine (the thread descheduled) does not decide it.
        if (++this.#slowCopies === 2) this.#holdObjects = false;
        return this.#sendAlone(held);
      }
      this.#slowCopies = 0;
    }
    const waiting = (this.#held ??= []);
    waiting.push(held);
    // Chunks that take long to make leave in several messages, so that the reader starts on the first ones meanwhile.
    if (waiting.length === 1) this.#heldSince = performance.now();
    if (this.#credit === 0 || (waiting.length >= fewestTimedOut && performance.now() - this.#heldSince > this.#holdForMs)) this.flush();
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#outlet.later(this.#flushLater);
    }
  }

  #sendAlone(chunk: unknown): void {
    this.flush();
    try {
      this.#outlet.send(chunk);
    } catch (error) {
      this.#refuse(error);
    }
  }

  // The chunks before it still go; then the generator is closed and the call fails.
  #refuse(error: unknown): void {
    this.flush();
    const reason = `a chunk the task yielded cannot be sent from the worker (${(error as Error | null)?.message ?? String(error)})`;
    this.#closing = { reason: new TypeError(`Unserializable chunk: ${reason}`) };
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

// A copy of an object chunk that took longer than this (ms) shows a big chunk: it goes alone
// (its copy), and after two such in a row, the stream's object chunks go alone, copied once (by postMessage) instead of twice.
const defaultBigCopyMs = 0.05;

// Chunks are held at most this long (ms) while the generator makes more: a run of cheap chunks
// (numbers: a fraction of a microsecond each) still leaves as one message.
const defaultHoldForMs = 0.01;
// ...and only once at least this many wait, so that a thread descheduled on a busy machine
// (its clock jumps) still sends a few chunks a message, not one.
const fewestTimedOut = 4;

// An ArrayBuffer or a view over one of more than this many bytes goes alone, copied once.
const bigBinaryBytes = 4096;

function isBigBinary(chunk: unknown): boolean {
  return (ArrayBuffer.isView(chunk) || chunk instanceof ArrayBuffer) && chunk.byteLength > bigBinaryBytes;
}

// What cannot change after its `yield` and always clones (a symbol does not: it is copied like an object, and fails there).
function isPrimitive(chunk: unknown): boolean {
  const kind = typeof chunk;
  return chunk === null || (kind !== 'object' && kind !== 'function' && kind !== 'symbol');
}

const defaultTiming: PumpTiming = { holdForMs: defaultHoldForMs, bigCopyMs: defaultBigCopyMs };
