import { createLocalBackend } from '@hybridcompute/backend-local';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute, defineTask, type ComputeBackendLike, type RunTaskOptions } from '@hybridcompute/core';
import { afterEach, describe, expect, it } from 'vitest';
import * as tasks from './demo-tasks.js';

// Streams under 'auto' over real parts: a pool of worker threads offered to the router without its
// streamTask (as a backend that cannot stream, such as backend-bullmq, would be), ahead of local in
// the default order, and local, which streams.

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});

const countTo = defineTask('countPrimes', async function* (limit: number) {
  for (let value = 1; value <= limit; value++) yield value;
});

async function poolThatCannotStream(): Promise<ComputeBackendLike> {
  const worker = createWorkerBackend({ url: new URL('../dist/demo-worker.js', import.meta.url), size: 1 });
  closers.push(() => worker.close());
  await worker.ready();
  return {
    canRun: (taskName) => worker.canRun(taskName),
    runTask: (taskName: string, input: unknown, options?: RunTaskOptions) => worker.runTask(taskName, input, options),
    load: () => worker.load(),
  };
}

describe("streamTask under 'auto' over a real worker pool and local", () => {
  it("is placed on a backend that can stream, and counts in stats while open; 'ordered' keeps its first fit", async () => {
    const worker = await poolThatCannotStream();
    const local = createLocalBackend({ tasks: [countTo] });
    const compute = createHybridCompute({ worker, local });
    const chunks: unknown[] = [];
    for await (const chunk of compute.streamTask('countPrimes', 3)) {
      chunks.push(chunk);
      expect(compute.stats().backends['local']!.inFlight).toBe(1);
    }
    expect(chunks).toEqual([1, 2, 3]);
    expect(compute.stats().backends['local']).toMatchObject({ calls: 1, inFlight: 0 });
    expect(compute.stats().backends['worker']!.calls).toBe(0);
    // The worker still runs the same task name as a call.
    await expect(compute.runTask('countPrimes', 100, 'worker')).resolves.toBe(await createLocalBackend({ tasks }).runTask('countPrimes', 100));
    const ordered = createHybridCompute({ worker, local }, { placement: 'ordered' });
    await expect(ordered.streamTask('countPrimes', 3)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'INVALID_REQUEST', backend: 'worker' });
  });
});
