import { describe, expect, it } from 'vitest';
import { ComputeError } from './compute-error.js';
import { createHybridCompute } from './create-hybrid-compute.js';
import type { ComputeBackendLike } from './types.js';

// A backend outside this project whose stream ignores its timeout and signal: one chunk, then nothing, for ever.
function ignoringBackend() {
  const seen = { opened: 0, closed: 0 };
  const backend: ComputeBackendLike = {
    canRun: (taskName) => taskName === 'stuck',
    runTask: () => new Promise(() => {}),
    streamTask: () => {
      seen.opened++;
      let step = 0;
      const iterator: AsyncIterableIterator<unknown> = {
        [Symbol.asyncIterator]: () => iterator,
        next: () => (step++ === 0 ? Promise.resolve({ done: false, value: 1 }) : new Promise(() => {})),
        return: () => {
          seen.closed++;
          return Promise.resolve({ done: true, value: undefined });
        },
      };
      return iterator;
    },
  };
  return { backend, seen };
}

async function failureOf(stream: AsyncIterable<unknown>, onChunk?: () => void): Promise<{ error: ComputeError; chunks: unknown[] }> {
  const chunks: unknown[] = [];
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      onChunk?.();
    }
  } catch (error) {
    if (ComputeError.isInstance(error)) return { error, chunks };
    throw error;
  }
  throw new Error('the stream ended without an error');
}

describe("the router's deadline on a stream, over a backend that ignores it", () => {
  for (const placement of ['ordered', 'fastest'] as const) {
    it(`ends the loop at the timeout with TASK_TIMEOUT and closes the backend's stream (${placement})`, async () => {
      const { backend, seen } = ignoringBackend();
      const compute = createHybridCompute({ ignoring: backend }, { placement });
      const startedAt = Date.now();
      const { error, chunks } = await failureOf(compute.streamTask('stuck', null, { timeout: 100 }));
      expect(error).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'stuck', backend: 'ignoring' });
      expect(chunks).toEqual([1]);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      await expect.poll(() => seen.closed).toBe(1);
      if (placement === 'fastest') expect(compute.stats().backends['ignoring']!.inFlight).toBe(0);
    });

    it(`ends the loop when the signal aborts, with TASK_ABORTED, and closes the backend's stream (${placement})`, async () => {
      const { backend, seen } = ignoringBackend();
      const compute = createHybridCompute({ ignoring: backend }, { placement });
      const controller = new AbortController();
      const { error, chunks } = await failureOf(compute.streamTask('stuck', null, { signal: controller.signal }), () => controller.abort());
      expect(error).toMatchObject({ code: 'TASK_ABORTED', backend: 'ignoring' });
      expect(chunks).toEqual([1]);
      await expect.poll(() => seen.closed).toBe(1);
    });
  }

  it('rejects next() calls made without awaiting, each of them, at the deadline; the reads after them end', async () => {
    const { backend } = ignoringBackend();
    const iterator = createHybridCompute({ ignoring: backend }).streamTask('stuck', null, { timeout: 50 })[Symbol.asyncIterator]();
    const steps = await Promise.allSettled([iterator.next(), iterator.next(), iterator.next()]);
    expect(steps[0]).toEqual({ status: 'fulfilled', value: { done: false, value: 1 } });
    expect(steps.slice(1).map((step) => step.status === 'rejected' && (step.reason as ComputeError).code)).toEqual(['TASK_TIMEOUT', 'TASK_TIMEOUT']);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('refuses a stream whose signal has already aborted on its first step, then ends', async () => {
    const { backend } = ignoringBackend();
    const controller = new AbortController();
    controller.abort();
    const iterator = createHybridCompute({ ignoring: backend }).streamTask('stuck', null, { signal: controller.signal })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'TASK_ABORTED' });
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('costs a stream without a timeout or a signal nothing: the backend’s stream is read as it is', async () => {
    const { backend, seen } = ignoringBackend();
    const iterator = createHybridCompute({ ignoring: backend }).streamTask('stuck', null)[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    await iterator.return?.();
    expect(seen).toEqual({ opened: 1, closed: 1 });
  });
});
