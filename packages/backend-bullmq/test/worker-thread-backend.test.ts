// Short locks are safe when the tasks run on worker threads: the bullmq worker's event loop stays
// free to renew them, however long a task computes.
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { afterEach, expect, inject, it } from 'vitest';
import { createBullmqBackend, createBullmqWorker, jobIdFor } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';

const redisUrl = inject('redisUrl');
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('completes, in one run and without stalling, a task that computes for three times the lock on a worker-thread backend', { timeout: 30_000 }, async () => {
  const queue = uniqueQueueName('worker-thread');
  const threads = createWorkerBackend({ url: new URL('./fixtures/spin-worker.mjs', import.meta.url), size: 1 });
  cleanups.push(() => threads.close());
  // A lock far shorter than the task: on the bullmq worker's own event loop this task would lose it.
  const lockDuration = 1_000;
  const worker = createBullmqWorker({ connection: redisUrl, queue, backend: threads, lockDuration, stalledInterval: 500 });
  cleanups.push(() => worker.close(true));
  let stalled = 0;
  worker.worker.on('stalled', () => stalled++);
  let renewals = 0;
  worker.worker.on('locksRenewed', () => renewals++);
  await Promise.all([worker.waitUntilReady(), threads.ready()]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 20_000 });
  cleanups.push(() => backend.close());

  await expect(backend.runTask('spin', { value: 7, ms: 3 * lockDuration }, { idempotencyKey: 'long' })).resolves.toEqual({ value: 7 });
  const job = await backend.queue.getJob(jobIdFor('spin', 'long'));
  expect(job?.stalledCounter).toBe(0);
  expect(job?.attemptsStarted).toBe(1);
  expect(stalled).toBe(0);
  // The lock was renewed while the thread computed: the event loop was free.
  expect(renewals).toBeGreaterThan(0);
});
