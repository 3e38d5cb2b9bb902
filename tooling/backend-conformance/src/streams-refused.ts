import { createHybridCompute } from '@hybridcompute/core';
import { expect, it } from 'vitest';
import type { BackendUnderTest, SuiteContext } from './suite-context.js';

// A backend without streamTask is refused by a router over it, the way users reach it.
function streamFrom(backend: BackendUnderTest, taskName: string, input: unknown): AsyncIterable<unknown> {
  if (typeof backend.streamTask === 'function') return backend.streamTask(taskName, input);
  return createHybridCompute({ refusing: backend }).streamTask(taskName, input);
}

/**
 * For a backend that declares `streaming: false`: it still runs a streaming
 * task as a call, and refuses a stream clearly instead of hanging or
 * answering only the result.
 */
export function describeStreamsRefused({ backend }: SuiteContext): void {
  it("resolves runTask on a streaming task with the generator's return value", async () => {
    await expect(backend().runTask('countTo', { to: 5 })).resolves.toBe('counted');
  });

  it('refuses a stream with INVALID_REQUEST on its first step, never where it is called, and yields nothing', async () => {
    let stream: AsyncIterable<unknown> | undefined;
    expect(() => (stream = streamFrom(backend(), 'countTo', { to: 3 }))).not.toThrow();
    const chunks: unknown[] = [];
    const failure = await (async () => {
      for await (const chunk of stream!) chunks.push(chunk);
    })().then(
      () => new Error('the stream ended without an error'),
      (error: unknown) => error,
    );
    expect(chunks).toEqual([]);
    expect(failure).toMatchObject({ name: 'ComputeError', code: 'INVALID_REQUEST' });
  });
}
