import { computeRejectionOf } from '@hybridcompute/backend-conformance';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkerBackend, type WorkerBackend, type WorkerBackendOptions } from '../src/node/index.js';

const url = new URL('./fixtures/stream-worker.mjs', import.meta.url);
const backends: WorkerBackend[] = [];

async function pool(options: Partial<WorkerBackendOptions> = {}): Promise<WorkerBackend> {
  const backend = createWorkerBackend({ url, size: 1, abortGrace: 2_000, ...options });
  backends.push(backend);
  await backend.ready();
  return backend;
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

describe('streams on worker threads', () => {
  it('moves chunks wrapped in transfer(): each arrives whole and leaves the worker detached', async () => {
    const backend = await pool();
    const chunks: unknown[] = [];
    for await (const chunk of backend.streamTask('transferredChunks', { count: 5, bytes: 1024 })) {
      chunks.push(chunk instanceof ArrayBuffer ? [chunk.byteLength, new Uint8Array(chunk)[0]] : chunk);
    }
    expect(chunks).toEqual([...[1, 2, 3, 4, 5].map((fill) => [1024, fill]), [0, 0, 0, 0, 0]]);
  });

  it('frees the slot of a stream left early, so that a pool of one slot runs the next call', async () => {
    const backend = await pool({ concurrentTasksPerWorker: 1 });
    for await (const chunk of backend.streamTask('endless', { id: 'slot' })) {
      expect(backend.load().inFlight).toBe(1);
      if (chunk === 2) break;
    }
    await expect(backend.runTask('streamProbe', { id: 'slot' })).resolves.toMatchObject({ closed: true, aborted: true });
    expect(backend.stats()).toMatchObject({ running: 0, queued: 0, aborted: 1 });
  });

  it('waits in the queue for a slot like any call, and streams once a worker takes it', async () => {
    const backend = await pool({ concurrentTasksPerWorker: 1 });
    const busy = backend.runTask('slow', { ms: 100 });
    const chunks: unknown[] = [];
    for await (const chunk of backend.streamTask('countTo', { to: 3 })) chunks.push(chunk);
    await busy;
    expect(chunks).toEqual([1, 2, 3]);
  });

  it('rejects the iteration with BACKEND_UNAVAILABLE when the worker dies mid-stream, after the chunks it sent', async () => {
    const backend = await pool();
    const chunks: unknown[] = [];
    const error = await computeRejectionOf(async () => {
      for await (const chunk of backend.streamTask('exitMidStream', { after: 2 })) chunks.push(chunk);
    });
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.taskName).toBe('exitMidStream');
    expect(chunks).toEqual([1, 2]);
    // The worker was replaced.
    await expect(backend.runTask('double', 4)).resolves.toBe(8);
  });

  it('fails with TASK_FAILED on a chunk that cannot be cloned, after the chunks before it', async () => {
    const backend = await pool();
    const chunks: unknown[] = [];
    const error = await computeRejectionOf(async () => {
      for await (const chunk of backend.streamTask('unclonableChunk', null)) chunks.push(chunk);
    });
    expect(chunks).toEqual([1, 2]);
    expect(error.code).toBe('TASK_FAILED');
    expect(String((error.cause as Error).message)).toContain('Unserializable chunk');
  });

  it('keeps the order of primitive and object chunks, sends an object as it was at its yield, and fails on a symbol after the rest', async () => {
    const backend = await pool();
    const chunks: unknown[] = [];
    const progress: unknown[] = [];
    const error = await computeRejectionOf(async () => {
      for await (const chunk of backend.streamTask('mixedChunks', null, { onProgress: (value) => progress.push(value) })) chunks.push(chunk);
    });
    expect(chunks).toEqual([1, 'two', { n: 3 }, { n: 4 }, 5n, null, undefined, true]);
    expect(progress).toEqual(['between']);
    expect(error.code).toBe('TASK_FAILED');
    expect(String((error.cause as Error).message)).toContain('Unserializable chunk');
  });

  it('keeps the heap bounded under a reader that stalls while the task could yield for ever', async () => {
    const backend = await pool();
    const highWaterMark = 16;
    const bytes = 256 * 1024;
    const iterator = backend.streamTask('endlessBuffers', { bytes }, { highWaterMark })[Symbol.asyncIterator]();
    await iterator.next();
    global.gc?.();
    const before = process.memoryUsage();
    // The stall: no read for a second, while the worker runs on (round trips to it in between).
    const stallEnds = Date.now() + 1_000;
    let produced = 0;
    while (Date.now() < stallEnds) produced = (await backend.runTask('endlessBuffersProduced', null)) as number;
    const after = process.memoryUsage();
    const growth = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    // Unbounded, a second of 256 KiB copies would be gigabytes; bounded, it is at most highWaterMark of them (4 MiB).
    expect(growth).toBeLessThan(32 * 1024 * 1024);
    // One read, highWaterMark on their way, and the one the generator holds at its yield.
    expect(produced).toBeLessThanOrEqual(1 + highWaterMark + 1);
    // Reading resumes where it stopped.
    await expect(iterator.next()).resolves.toMatchObject({ done: false });
    await iterator.return?.();
  });
});

describe('progress on worker threads', () => {
  it('hands onProgress every value in order before the result, with transferred buffers, and refuses a value it cannot clone', async () => {
    const backend = await pool();
    const seen: unknown[] = [];
    const result = await backend.runTask('reportSteps', 4, { onProgress: (value) => seen.push(value) });
    expect(result).toEqual({ detached: true, refused: 'INVALID_REQUEST' });
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    const last = seen[3] as { step: number; buffer: ArrayBuffer };
    expect(last.step).toBe(4);
    expect([...new Uint8Array(last.buffer)]).toEqual([4]);
    expect(seen).toHaveLength(4);
  });

  it('keeps onProgress under the pool’s taskTimeout, and beside plain calls sent in the same turn', async () => {
    const backend = await pool({ taskTimeout: 10_000 });
    const seen: unknown[] = [];
    const seenLater: unknown[] = [];
    // Sent in one turn: one batch, in which two calls report (one synchronously, one across turns).
    const results = await Promise.all([
      backend.runTask('double', 1),
      backend.runTask('reportProgress', { steps: 3 }, { onProgress: (value) => seen.push(value) }),
      backend.runTask('reportProgress', { steps: 4, async: true }, { onProgress: (value) => seenLater.push(value) }),
      backend.runTask('double', 2),
    ]);
    expect(results).toEqual([2, 'done', 'done', 4]);
    expect(seen).toEqual([1, 2, 3].map((step) => ({ step, of: 3 })));
    expect(seenLater).toEqual([1, 2, 3, 4].map((step) => ({ step, of: 4 })));
  });

  it('reports progress while it streams, each value before the chunk that follows it', async () => {
    const backend = await pool();
    const seen: unknown[] = [];
    for await (const chunk of backend.streamTask('reportingStream', 3, { onProgress: (value) => seen.push(value) })) seen.push(chunk);
    expect(seen).toEqual(['made 1', 1, 'made 2', 2, 'made 3', 3]);
  });

  it('drops progress that comes after the call timed out', async () => {
    const backend = await pool();
    const seen: unknown[] = [];
    const error = await computeRejectionOf(() => backend.runTask('reportProgress', { steps: 400, async: true }, { timeout: 50, onProgress: (value) => seen.push(value) }));
    expect(error.code).toBe('TASK_TIMEOUT');
    const countAtTimeout = seen.length;
    await vi.waitFor(() => expect(backend.stats().running).toBe(0), { timeout: 5_000 });
    expect(seen.length).toBe(countAtTimeout);
  });
});
