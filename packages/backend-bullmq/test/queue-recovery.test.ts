// How fast the callers of a dead or stuck bullmq worker get their answers, with the package's
// default lock and stalled check (no overrides here): worker processes are separate machines.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComputeError } from '@hybridcompute/core';
import { afterAll, expect, inject, it } from 'vitest';
import { createBullmqBackend } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';
import { startWorkerProcess, stopAllWorkerProcesses } from './worker-process.js';

const redisUrl = inject('redisUrl');
const runsDir = mkdtempSync(join(tmpdir(), 'hybridcompute-recovery-'));

afterAll(async () => {
  await stopAllWorkerProcesses();
  rmSync(runsDir, { recursive: true, force: true });
});

// The defaults promise at most lockDuration + 2 x stalledInterval (7 s) plus the re-run; BullMQ's
// own (30 s + 30 s) take a minute or more, and at least 15 s even when the check falls at the best moment.
const recoveryBoundMs = 12_000;

it(`answers every caller of a SIGKILLed worker within ${recoveryBoundMs / 1000} s, with the defaults`, { timeout: 60_000 }, async () => {
  const queue = uniqueQueueName('recovery');
  const [doomed, survivor] = await Promise.all([startWorkerProcess({ redisUrl, queue, concurrency: 4 }), startWorkerProcess({ redisUrl, queue, concurrency: 4 })]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 45_000 });
  try {
    const inputs = Array.from({ length: 8 }, (_, index) => index);
    const settledAt: number[] = [];
    const calls = inputs.map((value) =>
      backend.runTask<{ value: number; ms: number }, { value: number; pid: number }>('identify', { value, ms: 1_000 }).finally(() => {
        settledAt[value] = Date.now();
      }),
    );
    // Killed as soon as it holds a job, before any 1-second job of its own could finish.
    await doomed.startedJobs(1);
    const killedAt = Date.now();
    await doomed.stop('SIGKILL');
    const heldByTheDead = doomed.activeJobs.map((job) => job.value as number);

    const results = await Promise.all(calls);
    const slowest = Math.max(...settledAt) - killedAt;
    expect(results.map((result) => result.value)).toEqual(inputs);
    expect(heldByTheDead.length).toBeGreaterThan(0);
    for (const value of heldByTheDead) expect(results[value]?.pid, `job ${value}`).toBe(survivor.pid);
    expect(slowest, `the last caller's answer came ${slowest} ms after the kill`).toBeLessThan(recoveryBoundMs);
  } finally {
    await backend.close();
  }
});

// A task that blocks the event loop for longer than the lock (5 s) cannot have its lock renewed:
// the job stalls and runs again. The first run's result is refused (its lock is gone).
const blockMs = 8_000;

it('runs a job again when its task blocks the worker’s event loop past the lock, and answers with the second run', { timeout: 60_000 }, async () => {
  const queue = uniqueQueueName('blocked-once');
  const runsFile = join(runsDir, `${queue}.runs`);
  const [first, second] = await Promise.all([startWorkerProcess({ redisUrl, queue, concurrency: 1 }), startWorkerProcess({ redisUrl, queue, concurrency: 1 })]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 45_000 });
  try {
    const startedAt = Date.now();
    const answer = await backend.runTask<object, { value: number; pid: number; run: number }>('spin', { value: 1, ms: blockMs, firstRunOnly: true, runsFile });
    // Answered by the run that did not block, before the blocked one could have finished and returned its own.
    expect(answer).toMatchObject({ value: 1, run: 2 });
    expect([first.pid, second.pid]).toContain(answer.pid);
    expect(readFileSync(runsFile, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(Date.now() - startedAt).toBeLessThan(blockMs + recoveryBoundMs);
  } finally {
    await backend.close();
  }
});

it('fails a job whose every run blocks the event loop past the lock once it stalled more than maxStalledCount (1) times, with TASK_FAILED saying so', { timeout: 90_000 }, async () => {
  const queue = uniqueQueueName('blocked-always');
  const runsFile = join(runsDir, `${queue}.runs`);
  await Promise.all([startWorkerProcess({ redisUrl, queue, concurrency: 1 }), startWorkerProcess({ redisUrl, queue, concurrency: 1 })]);
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 80_000 });
  try {
    const failure: unknown = await backend.runTask('spin', { value: 1, ms: blockMs, runsFile }).then(
      (value) => new Error(`expected a failure, got ${JSON.stringify(value)}`),
      (error: unknown) => error,
    );
    expect(ComputeError.isInstance(failure), String(failure)).toBe(true);
    expect(failure).toMatchObject({ code: 'TASK_FAILED', taskName: 'spin', backend: 'bullmq' });
    expect((failure as ComputeError).message).toMatch(/stalled more than maxStalledCount.*lockDuration/);
    // It ran, stalled, ran again, stalled again, and then failed without a third run.
    expect(readFileSync(runsFile, 'utf8').trim().split('\n')).toHaveLength(2);
  } finally {
    await backend.close();
  }
});
