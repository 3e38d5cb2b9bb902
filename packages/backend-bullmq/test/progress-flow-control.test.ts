import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask, type AnyComputeTask } from '@hybridcompute/core';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqBackend, createBullmqWorker, type BullmqBackend } from '../src/index.js';
import { maxHeldProgress, progressUpdatesInFlight } from '../src/job-progress-reporter.js';
import { uniqueQueueName } from './queue-name.js';

// Progress flow control through the queue: each value is a `job.updateProgress`, a Redis round trip.

const redisUrl = inject('redisUrl');
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function queueWith(tasks: AnyComputeTask[]): Promise<BullmqBackend> {
  const queue = uniqueQueueName('progress-flow');
  const worker = createBullmqWorker({ connection: redisUrl, queue, backend: createLocalBackend({ tasks }), concurrency: 2 });
  cleanups.push(() => worker.close(true));
  await worker.waitUntilReady();
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 60_000 });
  cleanups.push(() => backend.close());
  return backend;
}

const chatty = defineTask('chatty', (count: number, { progress }) => {
  for (let value = 1; value <= count; value++) void progress(value);
  return 'done';
});
const paced = defineTask('paced', async (count: number, { progress }) => {
  for (let value = 1; value <= count; value++) await progress(value);
  return 'paced';
});

describe('progress flow control through the queue', () => {
  it('coalesces a tight loop of 100,000 values past the commands in flight and the values held: increasing values, the last before the result', async () => {
    const backend = await queueWith([chatty, paced]);
    const values: number[] = [];
    await expect(backend.runTask('chatty', 100_000, { onProgress: (value) => values.push(value as number) })).resolves.toBe('done');
    // The commands in flight, then the values held, sent as commands came back.
    expect(values.length).toBeLessThanOrEqual(progressUpdatesInFlight + maxHeldProgress);
    for (let index = 1; index < values.length; index++) expect(values[index]).toBeGreaterThan(values[index - 1] as number);
    expect(values.at(-1)).toBe(100_000);
  });

  it('paces a task that awaits ctx.progress by Redis, and delivers every value in order', async () => {
    const backend = await queueWith([chatty, paced]);
    const values: unknown[] = [];
    await expect(backend.runTask('paced', 300, { onProgress: (value) => values.push(value) })).resolves.toBe('paced');
    expect(values).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));
  });
});
