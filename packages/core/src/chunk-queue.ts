/**
 * What a {@link ChunkQueue} tells the transport that fills it.
 *
 * @example
 * ```ts
 * const hooks: ChunkQueueHooks = { taken: () => socket.send({ id, credit: 1 }), cancel: () => socket.send({ id, cancel: true }) };
 * ```
 */
export interface ChunkQueueHooks {
  /** The reader took a chunk: room for one more (a transport with credits grants one, or batches them). */
  taken(): void;
  /** The reader left before the end (`break`, `return`, a throw in its loop): stop the call. Called at most once. */
  cancel(): void;
}

type Waiter<T> = { resolve(step: IteratorResult<T>): void; reject(error: unknown): void };

/**
 * The reader's side of a stream whose chunks arrive from elsewhere (a worker
 * thread, a socket): chunks wait here until the `for await` loop asks for
 * them, then the end or the failure. The transport pushes what arrives and
 * says when the stream ended or failed; the queue tells it, through its
 * hooks, each time the reader takes a chunk (so that a transport with flow
 * control sends more only as chunks are read, which bounds what waits here)
 * and when the reader leaves early.
 *
 * Chunks already received reach the reader before a failure. Reads made
 * without awaiting settle as an async generator's would: chunks in order,
 * then the end, or the failure to the first and the end to the rest.
 *
 * @example
 * ```ts
 * const queue = new ChunkQueue({ taken: () => socket.send({ id, credit: 1 }), cancel: () => socket.send({ id, cancel: true }) });
 * socket.on('chunk', (chunk) => queue.push(chunk));
 * socket.on('end', () => queue.end());
 * socket.on('error', (error) => queue.fail(error));
 * return queue; // for await (const chunk of queue) ...
 * ```
 */
export class ChunkQueue<T = unknown> implements AsyncIterableIterator<T> {
  readonly #hooks: ChunkQueueHooks;
  #chunks: (T | undefined)[] = [];
  #head = 0;
  // Reads waiting for a chunk: one in a `for await`, more when next() is called without awaiting.
  #waiters: Waiter<T>[] = [];
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

  /** A chunk arrived. Ignored once the stream has ended or failed, or the reader has left. */
  push(chunk: T): void {
    if (this.#done || this.#ended || this.#failed) return;
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#chunks.push(chunk);
      return;
    }
    this.#hooks.taken();
    waiter.resolve({ done: false, value: chunk });
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

  /** The call was stopped (its deadline passed, its signal aborted): chunks not read are dropped, and the reader gets `error` now. */
  abort(error: unknown): void {
    if (this.#ended || this.#failed) return;
    this.#chunks = [];
    this.#head = 0;
    this.fail(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#done) return Promise.resolve({ done: true, value: undefined });
    if (this.buffered > 0) {
      const value = this.#chunks[this.#head] as T;
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

  /** The loop ended early: chunks not read are dropped, and the transport is told to stop the call unless it had already ended. */
  return(): Promise<IteratorResult<T>> {
    if (!this.#done) {
      this.#done = true;
      this.#chunks = [];
      this.#head = 0;
      // The reads waiting get the end first: cancelling may fail the call at once, and that failure is not theirs.
      for (const waiter of this.#waiters.splice(0)) waiter.resolve({ done: true, value: undefined });
      if (!this.#ended && !this.#failed) this.#hooks.cancel();
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  async throw(error?: unknown): Promise<IteratorResult<T>> {
    await this.return();
    throw error;
  }

  // Reads wait only while no chunk is here: they get the end now (a failure once, as a loop would see it).
  #settleWaiters(): void {
    if (this.#waiters.length === 0) return;
    this.#done = true;
    const [first, ...others] = this.#waiters.splice(0);
    if (this.#failed) first!.reject(this.#failure);
    else first!.resolve({ done: true, value: undefined });
    for (const waiter of others) waiter.resolve({ done: true, value: undefined });
  }
}
