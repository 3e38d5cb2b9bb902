import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerBackend, type WorkerBackend } from '../src/node/index.js';
import { progressWindow } from '../src/worker-progress-window.js';

// Progress under flow control between a worker thread and a caller that consumes slowly.

const backends: WorkerBackend[] = [];
async function pool(): Promise<WorkerBackend> {
  const backend = createWorkerBackend({ url: new URL('./fixtures/progress-worker.mjs', import.meta.url), size: 1 });
  backends.push(backend);
  await backend.ready();
  return backend;
}
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

/** A consumer that takes each value slowly: its promise settles a macrotask later; counts how many it has not finished. */
function slowConsumer(): { values: unknown[]; onProgress: (value: unknown) => Promise<void>; mostOutstanding: () => number } {
  const values: unknown[] = [];
  let outstanding = 0;
  let most = 0;
  return {
    values,
    onProgress: (value) => {
      values.push(value);
      most = Math.max(most, ++outstanding);
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          outstanding--;
          resolve();
        }),
      );
    },
    mostOutstanding: () => most,
  };
}

function memory(): number {
  global.gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

function expectStrictlyIncreasing(values: unknown[], last: number): void {
  for (let index = 1; index < values.length; index++) expect(values[index] as number).toBeGreaterThan(values[index - 1] as number);
  expect(values.at(-1)).toBe(last);
}

describe('progress flow control on worker threads', () => {
  it('a million values in a tight loop to a consumer that has not finished the first: one window of messages, then the last, before the result', async () => {
    const backend = await pool();
    const values: unknown[] = [];
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const before = memory();
    const result = await backend.runTask('chattyProgress', 1_000_000, {
      onProgress: (value) => {
        values.push(value);
        return stalled;
      },
    });
    expect(result).toBe('done');
    expect(memory() - before).toBeLessThan(16 * 1024 * 1024);
    // Nothing was acknowledged: the window, then the value held back, flushed ahead of the answer.
    expect(values.length).toBe(progressWindow + 1);
    expectStrictlyIncreasing(values, 1_000_000);
    release();
  });

  it('a million values, none awaited, to a slow consumer: never more than the window outstanding, increasing, the last arrives', async () => {
    const backend = await pool();
    const consumer = slowConsumer();
    await expect(backend.runTask('chattyTurning', 1_000_000, { onProgress: consumer.onProgress })).resolves.toBe('done');
    expect(consumer.mostOutstanding()).toBeLessThanOrEqual(progressWindow + 1);
    expect(consumer.values.length).toBeLessThan(1_000_000);
    expectStrictlyIncreasing(consumer.values, 1_000_000);
  });

  it('paces a task that awaits ctx.progress, and delivers every value in order', async () => {
    const backend = await pool();
    const consumer = slowConsumer();
    const count = 5_000;
    await expect(backend.runTask('pacedProgress', count, { onProgress: consumer.onProgress })).resolves.toBe('paced');
    expect(consumer.values).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(consumer.mostOutstanding()).toBeLessThanOrEqual(progressWindow);
  });

  it('delivers every value of an awaiting task to a plain callback, as before', async () => {
    const backend = await pool();
    const values: unknown[] = [];
    await expect(backend.runTask('pacedProgress', 1_000, { onProgress: (value) => values.push(value) })).resolves.toBe('paced');
    expect(values).toEqual(Array.from({ length: 1_000 }, (_, index) => index + 1));
  });

  it('sends a progress value held back before the chunk that follows it', async () => {
    const backend = await pool();
    const seen: unknown[] = [];
    const lastSeenAtChunk: unknown[] = [];
    for await (const chunk of backend.streamTask('chattyStream', 1_000, { highWaterMark: 1, onProgress: (value) => seen.push(value) })) lastSeenAtChunk.push([chunk, seen.at(-1)]);
    expect(lastSeenAtChunk).toEqual([
      ['first', 'first 1000'],
      ['second', 'second 1000'],
    ]);
  });
});
