import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, defineTask } from '@hybridcompute/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBullmqBackend, createBullmqWorker } from '../src/index.js';
import { startRedisServer, type RedisServer } from './redis-server.js';
import { startWorkerProcess, stopAllWorkerProcesses } from './worker-process.js';

// Its own Redis, which this test stops and starts again on the same port and directory.
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await stopAllWorkerProcesses();
  await redis?.dispose();
});

async function codeOf(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'fulfilled',
    (error: unknown) => (ComputeError.isInstance(error) ? error.code : `not a ComputeError: ${String(error)}`),
  );
}

it('completes every job of a batch across a Redis restart (AOF), and rejects calls made while it is down', { timeout: 90_000 }, async () => {
  const queue = 'restart';
  const worker = await startWorkerProcess({ redisUrl: redis.url, queue, concurrency: 4 });
  const backend = createBullmqBackend({ connection: redis.url, queue, timeout: 60_000, connectTimeout: 3_000 });
  const identify = defineTask('identify', ({ value }: { value: number }) => ({ value, pid: process.pid }));
  const compute = createHybridCompute({ backend, local: createLocalBackend({ tasks: [identify] }) }, { order: ['backend', 'local'] });
  try {
    const inputs = Array.from({ length: 40 }, (_, index) => index);
    const calls = inputs.map((value) => backend.runTask<{ value: number; ms: number }, { value: number; pid: number }>('identify', { value, ms: 100 }));
    // Mid-batch: some jobs done, some running, most still waiting.
    await worker.startedJobs(8);
    await redis.stop('SIGKILL');

    const startedAt = Date.now();
    const whileDown = backend.runTask('identify', { value: -1, ms: 0 }, { timeout: 10_000 });
    await expect(codeOf(whileDown)).resolves.toBe('BACKEND_UNAVAILABLE');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    // Under 'auto', the router falls back to the next backend while Redis is down.
    await expect(compute.runTask('identify', { value: -2, ms: 0 })).resolves.toEqual({ value: -2, pid: process.pid });

    await redis.start();
    const results = await Promise.all(calls);
    expect(results.map((result) => result.value)).toEqual(inputs);
    expect(results.every((result) => result.pid === worker.pid)).toBe(true);
    // And new calls go through the queue again.
    await expect(backend.runTask('identify', { value: 99, ms: 0 })).resolves.toEqual({ value: 99, pid: worker.pid });
  } finally {
    await compute.close();
    await worker.stop();
  }
});

it('closes a backend and a worker promptly while Redis is down', { timeout: 30_000 }, async () => {
  const queue = 'close-while-down';
  const echo = defineTask('echo', (value: number) => value);
  const worker = createBullmqWorker({ connection: redis.url, queue, backend: createLocalBackend({ tasks: [echo] }) });
  const backend = createBullmqBackend({ connection: redis.url, queue, timeout: 20_000 });
  await worker.waitUntilReady();
  await expect(backend.runTask('echo', 5)).resolves.toBe(5);
  // Its outcome is read now, so that the rejection close() brings is never unhandled for a moment.
  const waiting = codeOf(backend.runTask('echo', 6, { timeout: 20_000 }));
  await redis.stop('SIGKILL');

  const startedAt = Date.now();
  await Promise.all([backend.close(), worker.close()]);
  expect(Date.now() - startedAt).toBeLessThan(10_000);
  await expect(waiting).resolves.toMatch(/^(fulfilled|BACKEND_UNAVAILABLE)$/);
  await redis.start();
});
