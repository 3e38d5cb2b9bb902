import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';
import { describe, expect, inject, it } from 'vitest';
import { uniqueQueueName } from './queue-name.js';
import { createBullmqBackend } from '../src/create-bullmq-backend.js';
import { createBullmqWorker } from '../src/create-bullmq-worker.js';

const redisUrl = inject('redisUrl');
const backend = createLocalBackend({ tasks: [defineTask('double', (n: number) => n * 2)] });

describe('createBullmqWorker', () => {
  it('refuses a missing backend or connection, a bad queue name and a bad concurrency', () => {
    const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });
    expect(() => createBullmqWorker({ connection: redisUrl, queue: 'q' } as never)).toThrow(invalid);
    expect(() => createBullmqWorker({ connection: redisUrl, queue: 'q', backend: {} as never })).toThrow(/canRun\(\) and runTask\(\)/);
    expect(() => createBullmqWorker({ queue: 'q', backend } as never)).toThrow(/connection is required/);
    expect(() => createBullmqWorker({ connection: redisUrl, queue: '', backend })).toThrow(invalid);
    expect(() => createBullmqWorker({ connection: redisUrl, queue: 'q', backend, concurrency: 0 })).toThrow(/concurrency/);
  });

  it('serves jobs on any backend it is given, and stops taking jobs once closed', async () => {
    const queue = uniqueQueueName('worker');
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend, concurrency: 2 });
    // The first call includes connecting to Redis: a deadline of its own, long enough for a loaded machine.
    const caller = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000 });
    try {
      await worker.waitUntilReady();
      await expect(caller.runTask('double', 4)).resolves.toBe(8);
      await worker.close();
      expect(worker.worker.isRunning()).toBe(false);
      // Nobody takes the job now: it waits out a short deadline of its own.
      await expect(caller.runTask('double', 4, { timeout: 1_000 })).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
    } finally {
      await caller.close();
      await worker.close();
    }
  });
});
