import { describe, expect, it } from 'vitest';
import { ChunkQueue } from './chunk-queue.js';

function queueWithHooks(): { queue: ChunkQueue<number | string>; taken: () => number; cancels: () => number } {
  let taken = 0;
  let cancels = 0;
  const queue = new ChunkQueue<number | string>({ taken: () => taken++, cancel: () => cancels++ });
  return { queue, taken: () => taken, cancels: () => cancels };
}

describe('ChunkQueue', () => {
  it('hands chunks to a for await loop in order, buffered or awaited, and tells the transport of each one taken', async () => {
    const { queue, taken } = queueWithHooks();
    queue.push(1);
    queue.push(2);
    expect(queue.buffered).toBe(2);
    const seen: unknown[] = [];
    const reading = (async () => {
      for await (const chunk of queue) seen.push(chunk);
    })();
    await Promise.resolve();
    queue.push(3);
    queue.end();
    await reading;
    expect(seen).toEqual([1, 2, 3]);
    expect(taken()).toBe(3);
    expect(queue.buffered).toBe(0);
  });

  it('settles reads made without awaiting as an async generator would: chunks, then the end to the rest', async () => {
    const { queue } = queueWithHooks();
    const reads = [queue.next(), queue.next(), queue.next()];
    queue.push('a');
    queue.end();
    await expect(Promise.all(reads)).resolves.toEqual([
      { done: false, value: 'a' },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('gives a failure to the first waiting read and the end to the others', async () => {
    const { queue } = queueWithHooks();
    const first = queue.next();
    const second = queue.next();
    const failure = new Error('broke');
    queue.fail(failure);
    await expect(first).rejects.toBe(failure);
    await expect(second).resolves.toEqual({ done: true, value: undefined });
  });

  it('hands over the chunks before a failure, then the failure once', async () => {
    const { queue } = queueWithHooks();
    queue.push(1);
    queue.push(2);
    const failure = new Error('broke');
    queue.fail(failure);
    queue.end();
    await expect(queue.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(queue.next()).resolves.toEqual({ done: false, value: 2 });
    await expect(queue.next()).rejects.toBe(failure);
    await expect(queue.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('drops the chunks not read on abort, fails at once, and ignores chunks after', async () => {
    const { queue, cancels } = queueWithHooks();
    queue.push(1);
    const timeout = new Error('late');
    queue.abort(timeout);
    queue.push(2);
    expect(queue.buffered).toBe(0);
    await expect(queue.next()).rejects.toBe(timeout);
    await queue.return();
    expect(cancels()).toBe(0);
  });

  it('cancels the call once when the loop leaves early, ends waiting reads, and ignores chunks after', async () => {
    const { queue, cancels } = queueWithHooks();
    queue.push(1);
    queue.push(2);
    for await (const _chunk of queue) break;
    expect(queue.buffered).toBe(0);
    const waiting = queueWithHooks();
    const pending = waiting.queue.next();
    await waiting.queue.return();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await queue.return();
    queue.push('late');
    await expect(queue.next()).resolves.toEqual({ done: true, value: undefined });
    expect(cancels()).toBe(1);
  });

  it('ends the reads waiting at return() even when cancelling fails the call at once (as the worker pool does)', async () => {
    const queue: ChunkQueue<number> = new ChunkQueue<number>({ taken: () => {}, cancel: () => queue.abort(new Error('stopped reading')) });
    const reads = [queue.next(), queue.next(), queue.return()];
    await expect(Promise.all(reads)).resolves.toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('does not cancel a stream that has already ended, and throw() rethrows after leaving', async () => {
    const { queue, cancels } = queueWithHooks();
    queue.push(1);
    queue.end();
    const error = new Error('the loop body threw');
    await expect(queue.throw(error)).rejects.toBe(error);
    expect(cancels()).toBe(0);
    await expect(queue.next()).resolves.toEqual({ done: true, value: undefined });
  });
});
