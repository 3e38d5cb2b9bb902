/** What a {@link ChunkQueue} tells the transport that fills it. */
export interface ChunkQueueHooks {
  /** The reader took a chunk: room for one more (grant a credit). */
  taken(): void;
  /** The reader left before the end (`break`, `return`, a throw in its loop): stop the call. */
  cancel(): void;
}

type Waiter = { resolve(step: IteratorResult<unknown>): void; reject(error: unknown): void };

/**
 * The reader's side of a stream arriving from a server: chunks wait here
 * until the loop asks for them, then the end or the failure. Chunks already
 * received are delivered before a failure. Leaving the loop early calls
 * {@link ChunkQueueHooks.cancel} once.
 */
export class ChunkQueue implements AsyncIterableIterator<unknown> {
  readonly #hooks: ChunkQueueHooks;
  #chunks: unknown[] = [];
  #head = 0;
  readonly #waiters: Waiter[] = [];
  #ended = false;
  #failed = false;
  #failure: unknown;
  // The reader is done: it saw the end or the failure, or left.
  #done = false;

  constructor(hooks: ChunkQueueHooks) {
    this.#hooks = hooks;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Chunks received and not yet read. */
  get buffered(): number {
    return this.#chunks.length - this.#head;
  }

  push(chunk: unknown): void {
    if (this.#done || this.#ended || this.#failed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value: chunk });
      this.#hooks.taken();
      return;
    }
    this.#chunks.push(chunk);
  }

  /** The stream ended: the reader gets what is buffered, then `done`. */
  end(): void {
    if (this.#ended || this.#failed) return;
    this.#ended = true;
    if (this.buffered === 0) this.#settleWaiters();
  }

  /** The stream failed: the reader gets what is buffered, then `error`. */
  fail(error: unknown): void {
    if (this.#ended || this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    if (this.buffered === 0) this.#settleWaiters();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    if (this.buffered > 0) {
      const value = this.#chunks[this.#head];
      this.#chunks[this.#head++] = undefined;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#hooks.taken();
      return Promise.resolve({ done: false, value });
    }
    if (this.#failed) {
      this.#done = true;
      return Promise.reject(this.#failure);
    }
    if (this.#ended) {
      this.#done = true;
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<unknown>> {
    if (!this.#done) {
      this.#done = true;
      this.#chunks = [];
      this.#head = 0;
      if (!this.#ended && !this.#failed) this.#hooks.cancel();
      for (const waiter of this.#waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  async throw(error?: unknown): Promise<IteratorResult<unknown>> {
    await this.return();
    throw error;
  }

  #settleWaiters(): void {
    for (const waiter of this.#waiters.splice(0)) {
      this.#done = true;
      if (this.#failed) waiter.reject(this.#failure);
      else waiter.resolve({ done: true, value: undefined });
    }
  }
}
