import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, defineTask, type AnyComputeTask } from '@hybridcompute/core';
import { Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createBullmqBackend, createBullmqWorker, encodeJobValue, jobIdFor, type BullmqBackend, type BullmqWorker } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';

const redisUrl = inject('redisUrl');
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function backendOn(queue: string): BullmqBackend {
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 15_000 });
  cleanups.push(() => backend.close());
  return backend;
}

async function workerOn(queue: string, tasks: AnyComputeTask[]): Promise<BullmqWorker> {
  const worker = createBullmqWorker({ connection: redisUrl, queue, backend: createLocalBackend({ tasks }), concurrency: 10 });
  cleanups.push(() => worker.close(true));
  await worker.waitUntilReady();
  return worker;
}

/** Reports each of `input.values` (a list, so that any value can be sent), then answers how many it sent. */
const report = defineTask('report', async (input: { values: unknown[]; async?: boolean; awaits?: boolean; failAtEnd?: boolean }, { progress }) => {
  for (const value of input.values) {
    if (input.awaits === true) await progress(value);
    else void progress(value);
    if (input.async === true) await new Promise((resolve) => setImmediate(resolve));
  }
  if (input.failAtEnd === true) throw Object.assign(new Error('failed after reporting'), { code: 'E_LATE' });
  return input.values.length;
});

/** Runs `call`, recording each progress value and whether it came after the call settled. */
async function withProgress(call: (onProgress: (value: unknown) => void) => Promise<unknown>): Promise<{ seen: unknown[]; late: number; outcome: PromiseSettledResult<unknown> }> {
  const seen: unknown[] = [];
  let settled = false;
  let late = 0;
  const [outcome] = await Promise.allSettled([
    call((value) => {
      if (settled) late++;
      seen.push(value);
    }).finally(() => (settled = true)),
  ]);
  return { seen, late, outcome: outcome as PromiseSettledResult<unknown> };
}

describe('progress through the queue', () => {
  it('hands onProgress every value in order, before the result, each as it was (MessagePack through Redis)', async () => {
    const queue = uniqueQueueName('progress-values');
    await workerOn(queue, [report]);
    const backend = backendOn(queue);
    const values = [
      0.5,
      -0,
      undefined,
      null,
      'text',
      10n ** 20n,
      new Date(0),
      new Map([['pixels', new Uint8Array([1, 2, 3])]]),
      new Set(['a']),
      new Float64Array([Math.PI]),
      { nested: { deeper: [1, undefined, 3] } },
    ];
    const { seen, late, outcome } = await withProgress((onProgress) => backend.runTask('report', { values }, { onProgress }));
    expect(outcome).toEqual({ status: 'fulfilled', value: values.length });
    expect(late).toBe(0);
    expect(seen).toEqual(values);
    expect(Object.is(seen[1], -0)).toBe(true);
    expect(seen[7]).toBeInstanceOf(Map);
    expect((seen[7] as Map<string, unknown>).get('pixels')).toBeInstanceOf(Uint8Array);
  });

  it('keeps the order of many values sent at once or spread out, all before the result, through a router too', async () => {
    const queue = uniqueQueueName('progress-many');
    await workerOn(queue, [report]);
    const compute = createHybridCompute({ bullmq: backendOn(queue) });
    const values = Array.from({ length: 500 }, (_, index) => index);
    for (const async of [false, true]) {
      // Not awaited: past the commands in flight values are coalesced (test/progress-flow-control.test.ts), in order, the last kept.
      const { seen, late, outcome } = await withProgress((onProgress) => compute.runTask('report', { values, async }, { onProgress }));
      expect(outcome).toEqual({ status: 'fulfilled', value: 500 });
      expect(late).toBe(0);
      expect(seen.at(-1)).toBe(499);
      expect(seen).toEqual([...seen].sort((a, b) => (a as number) - (b as number)));
      expect(new Set(seen).size).toBe(seen.length);
    }
    // Awaited: every value.
    const { seen, late } = await withProgress((onProgress) => compute.runTask('report', { values, awaits: true }, { onProgress }));
    expect(late).toBe(0);
    expect(seen).toEqual(values);
  });

  it('delivers the values reported before a failure, then rejects with TASK_FAILED keeping the code', async () => {
    const queue = uniqueQueueName('progress-failure');
    await workerOn(queue, [report]);
    const { seen, late, outcome } = await withProgress((onProgress) => backendOn(queue).runTask('report', { values: [1, 2, 3], failAtEnd: true }, { onProgress }));
    expect(seen).toEqual([1, 2, 3]);
    expect(late).toBe(0);
    expect(outcome.status).toBe('rejected');
    const error = (outcome as PromiseRejectedResult).reason as ComputeError;
    expect(error).toMatchObject({ code: 'TASK_FAILED', taskName: 'report', backend: 'bullmq' });
    expect((error.cause as { code?: string }).code).toBe('E_LATE');
  });

  it('sends nothing to Redis for a call without onProgress: the job does not ask for progress and the worker reports none', async () => {
    const queue = uniqueQueueName('progress-none');
    const worker = await workerOn(queue, [report]);
    let reported = 0;
    worker.worker.on('progress', () => reported++);
    const backend = backendOn(queue);
    await expect(backend.runTask('report', { values: [1, 2, 3] }, { idempotencyKey: 'quiet' })).resolves.toBe(3);
    const job = await backend.queue.getJob(jobIdFor('report', 'quiet'));
    expect(job?.data).not.toHaveProperty('progress');
    expect(job?.progress).toBe(0);
    expect(reported).toBe(0);
    // The same worker does report for a call that listens: the count above could have moved.
    const { seen } = await withProgress((onProgress) => backend.runTask('report', { values: [1, 2, 3] }, { onProgress }));
    expect(seen).toEqual([1, 2, 3]);
    expect(reported).toBe(3);
  });

  it('gives progress to every call that shares a job through an idempotency key and listens', async () => {
    const queue = uniqueQueueName('progress-shared');
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = defineTask('gated', async (_input: null, { progress }) => {
      await gate;
      progress('halfway');
      return 'finished';
    });
    await workerOn(queue, [gated]);
    const backend = backendOn(queue);
    const first: unknown[] = [];
    const second: unknown[] = [];
    const calls = [
      backend.runTask('gated', null, { idempotencyKey: 'shared', onProgress: (value) => first.push(value) }),
      backend.runTask('gated', null, { idempotencyKey: 'shared', onProgress: (value) => second.push(value) }),
    ];
    open();
    await expect(Promise.all(calls)).resolves.toEqual(['finished', 'finished']);
    expect(first).toEqual(['halfway']);
    expect(second).toEqual(['halfway']);
  });

  it('lets an onProgress that throws, or that aborts its own call, leave the other calls and the task alone', async () => {
    const queue = uniqueQueueName('progress-callbacks');
    await workerOn(queue, [report]);
    const backend = backendOn(queue);
    const throwing = (): void => {
      throw new Error('the caller’s callback broke');
    };
    await expect(backend.runTask('report', { values: [1, 2] }, { onProgress: throwing })).resolves.toBe(2);
    const controller = new AbortController();
    const aborted = backend.runTask('report', { values: [1, 2, 3], async: true }, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(aborted).rejects.toMatchObject({ code: 'TASK_ABORTED', taskName: 'report', backend: 'bullmq' });
    await expect(backend.runTask('report', { values: [4] })).resolves.toBe(1);
  });

  it('fails the call with TASK_FAILED on a progress value MessagePack cannot carry, as the worker pool and the server do, after the values before it', async () => {
    const queue = uniqueQueueName('progress-unsendable');
    let wentOn = false;
    const odd = defineTask('odd', async (_input: null, { progress, signal }) => {
      await progress(1);
      void progress({ callback: () => 2 });
      wentOn = !signal.aborted;
      return 'went on';
    });
    await workerOn(queue, [odd]);
    const { seen, outcome } = await withProgress((onProgress) => backendOn(queue).runTask('odd', null, { onProgress }));
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'TASK_FAILED', taskName: 'odd' } });
    expect(String((outcome as PromiseRejectedResult).reason.message)).toMatch(/progress/);
    expect(seen).toEqual([1]);
    expect(wentOn).toBe(false);
  });

  it('passes on the progress of a worker outside this package as it is', async () => {
    const queue = uniqueQueueName('progress-foreign');
    const foreign = new Worker(
      queue,
      async (job) => {
        await job.updateProgress(42);
        await job.updateProgress({ percent: 50 });
        return { encoded: encodeJobValue('done') };
      },
      { connection: { url: redisUrl } },
    );
    foreign.on('error', () => {});
    cleanups.push(() => foreign.close(true));
    const { seen, outcome } = await withProgress((onProgress) => backendOn(queue).runTask('anything', null, { onProgress }));
    expect(outcome).toEqual({ status: 'fulfilled', value: 'done' });
    expect(seen).toEqual([42, { percent: 50 }]);
  });
});

describe('streams through the queue', () => {
  it('refuses a stream with INVALID_REQUEST that names bullmq and says why, on the backend and through a router, at the first step', async () => {
    const queue = uniqueQueueName('stream-refused');
    const backend = backendOn(queue);
    const compute = createHybridCompute({ bullmq: backend });
    for (const stream of [backend.streamTask('tiles', { size: 4 }), compute.streamTask('tiles', { size: 4 })]) {
      // Nothing is thrown where the stream is made: the loop's first step rejects.
      const failure: unknown = await (async () => {
        for await (const _chunk of stream) throw new Error('a chunk arrived');
      })().then(
        () => new Error('the stream ended without an error'),
        (error: unknown) => error,
      );
      expect(ComputeError.isInstance(failure)).toBe(true);
      expect(failure).toMatchObject({ code: 'INVALID_REQUEST', taskName: 'tiles', backend: 'bullmq' });
      expect((failure as ComputeError).message).toMatch(/BullMQ.*cannot stream task 'tiles'.*one answer/);
    }
    // Nothing was enqueued for it.
    expect(await backend.queue.count()).toBe(0);
  });
});
