import { randomUUID } from 'node:crypto';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createBullmqBackend, createBullmqWorker, type BullmqWorker } from '@hybridcompute/backend-bullmq';
import { afterAll, beforeAll } from 'vitest';
// The BullMQ package's own helper: a real redis-server on a free loopback port, in a temporary directory.
import { startRedisServer, type RedisServer } from '../../backend-bullmq/test/redis-server.js';
import { describeWasmTasksOn } from './describe-wasm-tasks-on.js';
import * as tasks from './fixtures/wasm-tasks.mjs';

let redis: RedisServer | undefined;
let redisUrl: string;
const workers = new WeakMap<object, BullmqWorker>();

beforeAll(async () => {
  const given = process.env['HYBRIDCOMPUTE_REDIS_URL'];
  if (given !== undefined && given !== '') redisUrl = given;
  else redisUrl = (redis = await startRedisServer()).url;
});

afterAll(async () => {
  await redis?.dispose();
});

describeWasmTasksOn('backend-bullmq (a queue on Redis, a BullMQ worker running the tasks locally)', {
  createBackend: async () => {
    const queue = `wasm-${randomUUID().slice(0, 8)}`;
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: createLocalBackend({ tasks }) });
    await worker.waitUntilReady();
    const bullmq = createBullmqBackend({ connection: redisUrl, queue, tasks, timeout: 20_000 });
    workers.set(bullmq, worker);
    return bullmq;
  },
  dispose: async (backend) => {
    await backend.close?.();
    await workers.get(backend)?.close(true);
  },
  structuredValues: false,
});
