// A worker process for the queue-recovery benchmark: createBullmqWorker over a local backend with
// the package's defaults (or LOCK_DURATION / STALLED_INTERVAL when set, to compare). Serves `hold`,
// which answers `{ value, pid }` after `ms`. Prints `ready`, then `active <jobId>` per job it starts.
import { createBullmqWorker } from '@hybridcompute/backend-bullmq';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';

const { REDIS_URL, QUEUE, LOCK_DURATION, STALLED_INTERVAL } = process.env;
const hold = defineTask('hold', (input) => new Promise((resolve) => setTimeout(resolve, input.ms, { value: input.value, pid: process.pid })));
const worker = createBullmqWorker({
  connection: REDIS_URL,
  queue: QUEUE,
  backend: createLocalBackend({ tasks: [hold] }),
  concurrency: Number(process.env.CONCURRENCY ?? 4),
  ...(LOCK_DURATION ? { lockDuration: Number(LOCK_DURATION) } : {}),
  ...(STALLED_INTERVAL ? { stalledInterval: Number(STALLED_INTERVAL) } : {}),
});
worker.worker.on('active', (job) => process.stdout.write(`active ${job.id}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => worker.close(true).then(() => process.exit(0)));
