// A worker process for the BullMQ benchmark. MODE=hybrid runs createBullmqWorker over a local
// backend; MODE=direct runs a plain BullMQ Worker. Both answer a no-op job; prints `ready`.
import { createBullmqWorker } from '@hybridcompute/backend-bullmq';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';
import { Worker } from 'bullmq';

const { MODE, REDIS_URL, QUEUE } = process.env;
const concurrency = Number(process.env.CONCURRENCY ?? 50);
let close;
if (MODE === 'hybrid') {
  const noop = defineTask('noop', (n) => n);
  const worker = createBullmqWorker({ connection: REDIS_URL, queue: QUEUE, backend: createLocalBackend({ tasks: [noop] }), concurrency });
  await worker.waitUntilReady();
  close = () => worker.close();
} else {
  const worker = new Worker(QUEUE, async (job) => job.data.n, { connection: { url: REDIS_URL }, concurrency });
  worker.on('error', () => {});
  await worker.waitUntilReady();
  close = () => worker.close();
}
process.stdout.write('ready\n');
process.once('SIGTERM', () => close().then(() => process.exit(0)));
