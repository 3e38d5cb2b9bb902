/**
 * An async iterable that calls `open` on the first `next()` and then reads
 * what it returned. Whatever `open` throws becomes the first `next()`'s
 * rejection, so a `streamTask` never throws where it is called.
 *
 * @example
 * ```ts
 * streamTask(taskName: string, input: unknown, options?: StreamTaskOptions): AsyncIterable<unknown> {
 *   return lazyStream(() => this.#open(taskName, input, options)); // bad options reject the loop's first step
 * }
 * ```
 */
export function lazyStream<Chunk>(open: () => AsyncIterable<Chunk>): AsyncIterableIterator<Chunk> {
  let inner: AsyncIterator<Chunk> | undefined;
  let closed = false;
  const iterator: AsyncIterableIterator<Chunk> = {
    [Symbol.asyncIterator]: () => iterator,
    async next(): Promise<IteratorResult<Chunk>> {
      if (closed) return { done: true, value: undefined };
      if (inner === undefined) {
        try {
          inner = open()[Symbol.asyncIterator]();
        } catch (error) {
          closed = true;
          throw error;
        }
      }
      return inner.next();
    },
    async return(): Promise<IteratorResult<Chunk>> {
      closed = true;
      await inner?.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}
