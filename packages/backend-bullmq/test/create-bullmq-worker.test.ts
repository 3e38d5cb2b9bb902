import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';
import { describe, expect, inject, it, vi } from 'vitest';
import { uniqueQueueName } from './queue-name.js';
import { createBullmqBackend } from '../src/create-bullmq-backend.js';
import { createBullmqWorker } from '../src/create-bullmq-worker.js';
import { decodeJobFailure, resultOfJob, type BullmqJobResult } from '../src/job-envelope.js';

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

  it('carries values through Redis as they were, and still runs plain-JSON jobs of older or foreign producers', async () => {
    const queue = uniqueQueueName('values');
    const echo = createLocalBackend({ tasks: [defineTask('echo', (value: unknown) => value)] });
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: echo });
    const caller = createBullmqBackend({ connection: redisUrl, queue, timeout: 10_000 });
    try {
      await worker.waitUntilReady();
      const value = { pixels: new Uint8Array([1, 2, 3]), index: new Map([['k', 2n]]), when: new Date(0), nothing: undefined, negativeZero: -0 };
      await expect(caller.runTask('echo', value)).resolves.toEqual(value);
      // A job as a producer before MessagePack (or outside this package) writes it: plain JSON input.
      const plain = await caller.queue.add('echo', { input: { answer: 42 }, deadline: Date.now() + 10_000 });
      await vi.waitFor(async () => expect(await plain.getState()).toBe('completed'), { timeout: 10_000, interval: 20 });
      const done = await caller.queue.getJob(plain.id as string);
      expect(resultOfJob(done?.returnvalue as BullmqJobResult)).toEqual({ answer: 42 });
      // Garbage where the encoded input should be: the job fails with a coded error, the worker stays up.
      const garbage = await caller.queue.add('echo', { encoded: 'not base64 msgpack!', deadline: Date.now() + 10_000 });
      await vi.waitFor(async () => expect(await garbage.getState()).toBe('failed'), { timeout: 10_000, interval: 20 });
      const failed = await caller.queue.getJob(garbage.id as string);
      expect(decodeJobFailure(failed?.failedReason, 'echo', 'bullmq').code).toBe('PROTOCOL_ERROR');
      await expect(caller.runTask('echo', 'still serving')).resolves.toBe('still serving');
    } finally {
      await caller.close();
      await worker.close();
    }
  });
});
