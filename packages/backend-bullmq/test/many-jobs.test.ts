import { afterAll, expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';
import { startWorkerProcess, stopAllWorkerProcesses } from './worker-process.js';

const redisUrl = inject('redisUrl');

afterAll(stopAllWorkerProcesses);

it('matches 1,000 jobs across two worker processes to their own inputs', { timeout: 60_000 }, async () => {
  const queue = uniqueQueueName('thousand');
  const workers = await Promise.all([startWorkerProcess({ redisUrl, queue, concurrency: 20 }), startWorkerProcess({ redisUrl, queue, concurrency: 20 })]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 45_000 });
  try {
    const inputs = Array.from({ length: 1_000 }, (_, index) => ({ value: { id: index, text: `job ${index}` }, ms: 2 }));
    const results = await Promise.all(
      inputs.map((input) => backend.runTask<typeof input, { value: typeof input.value; pid: number }>('identify', input)),
    );
    expect(results.map((result) => result.value)).toEqual(inputs.map((input) => input.value));
    const pids = new Set(results.map((result) => result.pid));
    expect(pids).toEqual(new Set(workers.map((worker) => worker.pid)));
  } finally {
    await backend.close();
    await Promise.all(workers.map((worker) => worker.stop()));
  }
});
