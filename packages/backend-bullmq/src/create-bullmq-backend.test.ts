import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, defineTask, type AnyComputeTask, type TaskContext } from '@hybridcompute/core';
import { QueueEvents, Worker } from 'bullmq';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { freePort } from '../test/redis-server.js';
import { uniqueQueueName } from '../test/queue-name.js';
import { BullmqBackend, createBullmqBackend, jobIdFor, type BullmqBackendOptions } from './create-bullmq-backend.js';
import { createBullmqWorker, type BullmqWorker } from './create-bullmq-worker.js';
import { decodeJobFailure } from './job-envelope.js';

const redisUrl = inject('redisUrl');
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function backendOn(queue: string, options: Partial<BullmqBackendOptions> = {}): BullmqBackend {
  const backend = createBullmqBackend({ connection: redisUrl, queue, ...options });
  cleanups.push(() => backend.close());
  return backend;
}

async function workerOn(queue: string, tasks: AnyComputeTask[], concurrency = 10): Promise<BullmqWorker> {
  const worker = createBullmqWorker({ connection: redisUrl, queue, backend: createLocalBackend({ tasks }), concurrency });
  cleanups.push(() => worker.close(true));
  await worker.waitUntilReady();
  return worker;
}

async function rejectionOf(call: Promise<unknown>): Promise<ComputeError & { cause?: any }> {
  const error: unknown = await call.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (caught: unknown) => caught,
  );
  expect(ComputeError.isInstance(error), String(error)).toBe(true);
  return error as ComputeError;
}

/** A task that reports when it starts and how its signal ended, so tests can wait on both. */
function watchedTask(name: string) {
  let started!: () => void;
  let stopped!: (reason: unknown) => void;
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const stoppedPromise = new Promise<unknown>((resolve) => (stopped = resolve));
  const task = defineTask(name, (_: null, { signal }: TaskContext) => {
    started();
    return new Promise((_resolve, reject) => {
      signal.addEventListener('abort', () => {
        stopped(signal.reason);
        reject(signal.reason);
      });
    });
  });
  return { task, started: startedPromise, stopped: stoppedPromise };
}

const double = defineTask('double', (n: number) => n * 2);

describe('createBullmqBackend: options', () => {
  it('refuses a missing connection, a bad queue name and bad timeouts', () => {
    expect(() => createBullmqBackend({ queue: 'q' } as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
    expect(() => createBullmqBackend({ connection: redisUrl, queue: 'a:b' })).toThrow(/queue must be a non-empty string without ':'/);
    expect(() => createBullmqBackend({ connection: redisUrl, queue: 'q', timeout: -1 })).toThrow(/timeout must be a number of milliseconds/);
    expect(() => createBullmqBackend({ connection: redisUrl, queue: 'q', retry: { double: { attempts: 0 } } })).toThrow(/attempts/);
  });

  it('turns an idempotency key into a job id BullMQ accepts, one per task', () => {
    expect(jobIdFor('charge', 'order:17')).toBe('idem/charge/order%3A17');
    expect(jobIdFor('charge', '17')).not.toMatch(/^\d+$/);
    expect(jobIdFor('a/b', 'c')).not.toBe(jobIdFor('a', 'b/c'));
  });

  it('answers canRun from tasks given as names or definitions, and from nothing when not given', async () => {
    const byNames = backendOn(uniqueQueueName('names'), { tasks: ['double'] });
    expect(byNames.canRun('double')).toBe(true);
    expect(byNames.canRun('triple')).toBe(false);
    const byDefinitions = backendOn(uniqueQueueName('definitions'), { tasks: { double } });
    expect(byDefinitions.taskNames).toEqual(['double']);
    const open = backendOn(uniqueQueueName('open'));
    expect(open.canRun('anything')).toBe(true);
    expect(open.canRun('')).toBe(false);
    await open.close();
    expect(open.canRun('anything')).toBe(false);
  });

  it('rejects bad call arguments with INVALID_REQUEST, never a synchronous throw', async () => {
    const backend = backendOn(uniqueQueueName('arguments'), { tasks: [double] });
    await expect(backend.runTask('double', 1, { timeout: 0 })).rejects.toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
    await expect(backend.runTask(42 as never, 1)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', 1, { idempotencyKey: '' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', 10n)).rejects.toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
  });
});

describe('createBullmqBackend against a real Redis', () => {
  it('lets a task without tasks on the caller side be refused by the worker with TASK_NOT_FOUND', async () => {
    const queue = uniqueQueueName('not-found');
    await workerOn(queue, [double]);
    const error = await rejectionOf(backendOn(queue).runTask('triple', 1));
    expect(error).toMatchObject({ code: 'TASK_NOT_FOUND', taskName: 'triple', backend: 'bullmq' });
  });

  it('runs a task that takes no input', async () => {
    const queue = uniqueQueueName('no-input');
    const hello = defineTask('hello', () => 'hello');
    await workerOn(queue, [hello]);
    await expect(backendOn(queue).runTask('hello', undefined)).resolves.toBe('hello');
  });

  it("keeps a task error's code and its cause chain through the envelope", async () => {
    const queue = uniqueQueueName('envelope');
    const layered = defineTask('layered', (): never => {
      throw Object.assign(new Error('outer', { cause: Object.assign(new TypeError('inner'), { code: 'E_INNER' }) }), { code: 'E_OUTER' });
    });
    await workerOn(queue, [layered]);
    const error = await rejectionOf(backendOn(queue).runTask('layered', null));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.cause).toMatchObject({ name: 'Error', message: 'outer', code: 'E_OUTER' });
    expect(error.cause.cause).toMatchObject({ name: 'TypeError', message: 'inner', code: 'E_INNER' });
  });

  it('does not retry a failed task unless it opts in with attempts', async () => {
    const queue = uniqueQueueName('retry');
    let runs = 0;
    const flaky = defineTask('flaky', (n: number) => {
      runs++;
      if (runs === 1) throw Object.assign(new Error('first run fails'), { code: 'E_FLAKY' });
      return n + 1;
    });
    await workerOn(queue, [flaky]);
    const error = await rejectionOf(backendOn(queue).runTask('flaky', 1));
    expect(error).toMatchObject({ code: 'TASK_FAILED', cause: { code: 'E_FLAKY' } });
    expect(runs).toBe(1);

    runs = 0;
    const retrying = backendOn(queue, { retry: { flaky: { attempts: 2, backoff: 10 } } });
    await expect(retrying.runTask('flaky', 1)).resolves.toBe(2);
    expect(runs).toBe(2);
  });

  it('runs a job once for calls that share an idempotency key, also after it finished', async () => {
    const queue = uniqueQueueName('idempotent');
    let runs = 0;
    const charge = defineTask('charge', async (amount: number) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { charged: amount, run: runs };
    });
    await workerOn(queue, [charge]);
    const backend = backendOn(queue);
    const [first, second] = await Promise.all([
      backend.runTask('charge', 5, { idempotencyKey: 'order:17' }),
      backend.runTask('charge', 5, { idempotencyKey: 'order:17' }),
    ]);
    expect(first).toEqual({ charged: 5, run: 1 });
    expect(second).toEqual(first);
    await expect(backend.runTask('charge', 5, { idempotencyKey: 'order:17' })).resolves.toEqual(first);
    expect(runs).toBe(1);

    // Through a router, the key comes from the backend's idempotencyKey option.
    const keyed = backendOn(queue, { idempotencyKey: (_task, input) => `amount-${String(input)}` });
    const compute = createHybridCompute({ keyed });
    await expect(compute.runTask('charge', 8)).resolves.toEqual({ charged: 8, run: 2 });
    await expect(compute.runTask('charge', 8)).resolves.toEqual({ charged: 8, run: 2 });
    expect(runs).toBe(2);
  });

  it('removes a job that has not started when the signal aborts', async () => {
    const queue = uniqueQueueName('abort-waiting');
    const backend = backendOn(queue);
    const controller = new AbortController();
    const call = backend.runTask('double', 1, { signal: controller.signal });
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 }));
    controller.abort();
    await expect(rejectionOf(call)).resolves.toMatchObject({ code: 'TASK_ABORTED' });
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 0 }));
  });

  it('tells a running job to stop when the signal aborts', async () => {
    const queue = uniqueQueueName('abort-running');
    const watched = watchedTask('watched');
    await workerOn(queue, [watched.task]);
    const controller = new AbortController();
    const call = backendOn(queue).runTask('watched', null, { signal: controller.signal });
    await watched.started;
    controller.abort();
    await expect(rejectionOf(call)).resolves.toMatchObject({ code: 'TASK_ABORTED' });
    await expect(watched.stopped).resolves.toMatchObject({ code: 'TASK_ABORTED' });
  });

  it('rejects with TASK_TIMEOUT at the deadline and stops the running job', async () => {
    const queue = uniqueQueueName('timeout');
    const watched = watchedTask('watched');
    await workerOn(queue, [watched.task]);
    const startedAt = Date.now();
    const error = await rejectionOf(backendOn(queue, { timeout: 500 }).runTask('watched', null));
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    await watched.started;
    await expect(watched.stopped).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('does not run a job whose deadline passed before a worker took it', async () => {
    const queue = uniqueQueueName('expired');
    let runs = 0;
    const counted = defineTask('counted', () => ++runs);
    const backend = backendOn(queue);
    await backend.queue.add('counted', { input: null, deadline: Date.now() - 1 }, { jobId: 'expired-job' });
    const events = new QueueEvents(queue, { connection: { url: redisUrl }, lastEventId: '0-0' });
    cleanups.push(() => events.close());
    const failed = new Promise<string>((resolve) => events.on('failed', ({ failedReason }) => resolve(failedReason)));
    await workerOn(queue, [counted]);
    expect(decodeJobFailure(await failed, 'counted', 'bullmq').code).toBe('TASK_TIMEOUT');
    expect(runs).toBe(0);
  });

  it('reads a failure from a worker outside this package as TASK_FAILED, and a foreign result as PROTOCOL_ERROR', async () => {
    const queue = uniqueQueueName('foreign');
    const foreign = new Worker(
      queue,
      async (job) => {
        if (job.name === 'boom') throw new Error('plain BullMQ failure');
        return 42;
      },
      { connection: { url: redisUrl } },
    );
    cleanups.push(() => foreign.close(true));
    const backend = backendOn(queue);
    const failure = await rejectionOf(backend.runTask('boom', null));
    expect(failure).toMatchObject({ code: 'TASK_FAILED', message: "Task 'boom' failed: plain BullMQ failure" });
    const unreadable = await rejectionOf(backend.runTask('answer', null));
    expect(unreadable.code).toBe('PROTOCOL_ERROR');
  });

  it('finds the result of a job whose completion event it never saw', async () => {
    const queue = uniqueQueueName('missed-event');
    const backend = backendOn(queue, { recheckInterval: 200, timeout: 20_000 });
    const call = backend.runTask('double', 1);
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 }));
    const [job] = await backend.queue.getWaiting();
    // Finish the job behind BullMQ's back, as if its 'completed' event had been trimmed from the stream.
    const client = await backend.queue.client;
    await client.hset(backend.queue.toKey(job?.id as string), { returnvalue: JSON.stringify({ result: 7 }), finishedOn: String(Date.now()) });
    await expect(call).resolves.toBe(7);
  });

  it('settles calls in flight with BACKEND_UNAVAILABLE when closed, and refuses calls after', async () => {
    const backend = backendOn(uniqueQueueName('close'));
    // Read at once: close() rejects it before it resolves itself.
    const call = rejectionOf(backend.runTask('double', 1));
    await backend.close();
    await expect(call).resolves.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(rejectionOf(backend.runTask('double', 1))).resolves.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
});

describe('createBullmqBackend with Redis unreachable', () => {
  it('rejects with BACKEND_UNAVAILABLE within connectTimeout, then at once, and a router falls back', async () => {
    const port = await freePort();
    const backend = backendOn('unreachable', { connection: `redis://127.0.0.1:${port}`, connectTimeout: 1_000, timeout: 20_000 });
    const startedAt = Date.now();
    const first = await rejectionOf(backend.runTask('double', 1));
    expect(first.code).toBe('BACKEND_UNAVAILABLE');
    expect(Date.now() - startedAt).toBeLessThan(10_000);

    const again = Date.now();
    await expect(rejectionOf(backend.runTask('double', 2))).resolves.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(Date.now() - again).toBeLessThan(1_000);

    const compute = createHybridCompute({ queued: backend, local: createLocalBackend({ tasks: [double] }) }, { order: ['queued', 'local'] });
    await expect(compute.runTask('double', 21)).resolves.toBe(42);
  });

  it('rejects with BACKEND_UNAVAILABLE, not TASK_TIMEOUT, when the deadline passes before Redis took the job', async () => {
    const port = await freePort();
    const backend = backendOn('unreachable', { connection: `redis://127.0.0.1:${port}`, connectTimeout: 20_000 });
    const error = await rejectionOf(backend.runTask('double', 1, { timeout: 300 }));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain("before the call's deadline");
  });

  it("fails a job at its deadline even when the worker's backend ignores the signal", async () => {
    const queue = uniqueQueueName('deaf');
    const deaf = { canRun: () => true, runTask: () => new Promise<never>(() => {}) };
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: deaf });
    cleanups.push(() => worker.close(true));
    await worker.waitUntilReady();
    const failed = new Promise<string>((resolve) => worker.worker.on('failed', (_job, error) => resolve(error.message)));
    const error = await rejectionOf(backendOn(queue).runTask('anything', null, { timeout: 300 }));
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(decodeJobFailure(await failed, 'anything', 'bullmq').code).toBe('TASK_TIMEOUT');
  });
});
