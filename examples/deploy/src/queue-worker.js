// Runs queued calls from Redis on this process, with the same task module as the server.
import { createBullmqWorker } from '@hybridcompute/backend-bullmq';
import { createLocalBackend } from '@hybridcompute/backend-local';
import * as tasks from './tasks.js';

const url = new URL(process.env.HYBRIDCOMPUTE_REDIS_URL ?? 'redis://127.0.0.1:6379');
const worker = createBullmqWorker({
  connection: { host: url.hostname, port: Number(url.port || 6379) },
  queue: process.env.HYBRIDCOMPUTE_QUEUE ?? 'compute',
  backend: createLocalBackend({ tasks }),
});
console.log(`queue-worker: running queue '${process.env.HYBRIDCOMPUTE_QUEUE ?? 'compute'}' on ${url.host}`);

let stopping = false;
const stop = () => {
  // A second signal means now.
  if (stopping) process.exit(1);
  stopping = true;
  worker.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
