import { afterAll, expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';
import { startWorkerProcess, stopAllWorkerProcesses } from './worker-process.js';

const redisUrl = inject('redisUrl');

afterAll(stopAllWorkerProcesses);

it('completes every job when one of two worker processes is SIGKILLed mid-job', { timeout: 60_000 }, async () => {
  const queue = uniqueQueueName('crash');
  // Short locks so that the stalled-job check hands the dead worker's jobs to the other within seconds.
  const settings = { redisUrl, queue, concurrency: 4, lockDuration: 1_000, stalledInterval: 500 };
  const [doomed, survivor] = await Promise.all([startWorkerProcess(settings), startWorkerProcess(settings)]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 45_000 });
  try {
    const inputs = Array.from({ length: 8 }, (_, index) => index);
    const calls = inputs.map((value) => backend.runTask<{ value: number; ms: number }, { value: number; pid: number }>('identify', { value, ms: 2_000 }));
    // Killed as soon as it holds a job, long before any 2-second job of its own could finish.
    await doomed.startedJobs(1);
    await doomed.stop('SIGKILL');
    const heldByTheDead = doomed.activeJobs.map((job) => job.value);

    const results = await Promise.all(calls);
    expect(results.map((result) => result.value)).toEqual(inputs);
    expect(heldByTheDead.length).toBeGreaterThan(0);
    for (const value of heldByTheDead) {
      expect(results[value as number]?.pid, `job ${String(value)}`).toBe(survivor.pid);
      expect(survivor.activeJobs.map((job) => job.value)).toContain(value);
    }
    expect(results.every((result) => result.pid === survivor.pid)).toBe(true);
  } finally {
    await backend.close();
  }
});
