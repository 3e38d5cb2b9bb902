import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, defineTask, type AnyComputeTask, type TaskContext } from '@hybridcompute/core';
import { getEventListeners } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { QueueEvents, Worker } from 'bullmq';
import { afterEach, describe, expect, expectTypeOf, inject, it, vi } from 'vitest';
import { freePort } from './redis-server.js';
import { uniqueQueueName } from './queue-name.js';
import type { BullmqBackendOptions } from '../src/bullmq-backend-options.js';
import { BullmqBackend, createBullmqBackend } from '../src/create-bullmq-backend.js';
import { decodeJobValue } from '../src/job-envelope.js';
import { jobIdFor } from '../src/job-id-for.js';
import { createBullmqWorker, type BullmqWorker } from '../src/create-bullmq-worker.js';
import { cancelChannelOf } from '../src/cancel-channel.js';
import { decodeJobFailure } from '../src/job-envelope.js';

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

/**
 * Waits for `event` at most `ms`: a worker that is slow to take a job on a loaded
 * machine then fails the test with a message instead of waiting out its timeout.
 */
async function within<T>(event: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([event, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The ioredis commands these tests use beyond what BullMQ's client type lists. */
interface RawRedis {
  del(key: string): Promise<unknown>;
  lrem(key: string, count: number, value: string): Promise<unknown>;
  xadd(key: string, id: string, ...fields: string[]): Promise<unknown>;
  call(command: string, ...args: string[]): Promise<unknown>;
  duplicate(): RawRedis & { subscribe(channel: string): Promise<unknown>; on(event: 'message', listener: (channel: string, message: string) => void): unknown; disconnect(): void };
}

async function rawClientOf(backend: BullmqBackend): Promise<RawRedis> {
  return (await backend.queue.client) as unknown as RawRedis;
}

/** Timers that keep the process alive (unref'd ones are not listed). */
function refedTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

describe('createBullmqBackend: options', () => {
  it('answers canRun from tasks given as names or definitions, and from nothing when not given', async () => {
    const byNames = backendOn(uniqueQueueName('names'), { tasks: ['double'] });
    expect(byNames.canRun('double')).toBe(true);
    expect(byNames.canRun('triple')).toBe(false);
    const byDefinitions = backendOn(uniqueQueueName('definitions'), { tasks: { double } });
    expect(byDefinitions.taskNames).toEqual(['double']);
    const open = backendOn(uniqueQueueName('open'));
    expect(open.taskNames).toBeUndefined();
    expect(open.canRun('anything')).toBe(true);
    expect(open.canRun('')).toBe(false);
    await open.close();
    expect(open.canRun('anything')).toBe(false);
  });

  it('rejects bad call arguments with INVALID_REQUEST, never a synchronous throw', async () => {
    const backend = backendOn(uniqueQueueName('arguments'), { tasks: [double] });
    await expect(backend.runTask('double', 1, { timeout: -1 })).rejects.toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', 1, 'fast' as never)).rejects.toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
    await expect(backend.runTask(42 as never, 1)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', 1, { idempotencyKey: '' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', 1, { idempotencyKey: 17 as never })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('double', { callback: () => 1 })).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('input.callback: a function') });
  });
});

describe('createBullmqBackend against a real Redis', () => {
  it('lets a task without tasks on the caller side be refused by the worker with TASK_NOT_FOUND', async () => {
    const queue = uniqueQueueName('not-found');
    await workerOn(queue, [double]);
    const error = await rejectionOf(backendOn(queue).runTask('triple', 1));
    expect(error).toMatchObject({ code: 'TASK_NOT_FOUND', taskName: 'triple', backend: 'bullmq' });
  });

  it('lets the types of the task definitions flow through a router to the queue', async () => {
    const queue = uniqueQueueName('types');
    await workerOn(queue, [double]);
    const tasks = { double };
    const compute = createHybridCompute<typeof tasks>({ queued: backendOn(queue, { tasks }) });
    const result = await compute.runTask('double', 21);
    expectTypeOf(result).toEqualTypeOf<number>();
    expect(result).toBe(42);
    // @ts-expect-error: no such task
    await expect(compute.runTask('triple', 1)).rejects.toMatchObject({ code: 'NO_BACKEND' });
    // @ts-expect-error: double takes a number ('x' * 2 is NaN, which comes back from Redis as NaN, not as JSON's null)
    await expect(compute.runTask('double', 'x')).resolves.toBeNaN();
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

  it("gives calls that share an idempotency key the deadline of the call that created the job", async () => {
    const queue = uniqueQueueName('shared-deadline');
    const watched = watchedTask('watched');
    await workerOn(queue, [watched.task]);
    const backend = backendOn(queue);
    const startedAt = Date.now();
    const creator = rejectionOf(backend.runTask('watched', null, { idempotencyKey: 'k', timeout: 3_000 }));
    // Its own 60 s deadline is not sent: the job exists already, and BullMQ keeps the first call's data.
    const later = rejectionOf(backend.runTask('watched', null, { idempotencyKey: 'k', timeout: 60_000 }));
    await expect(creator).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
    const error = await within(later, 20_000, "the later call settling at the creator's deadline");
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(3_000);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
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
    const call = rejectionOf(backendOn(queue, { timeout: 3_000 }).runTask('watched', null));
    // The deadline must pass while the job runs: a worker slow to take it would fail it before it starts instead.
    await within(watched.started, 2_500, 'the job starting on the worker');
    const error = await call;
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    await expect(within(watched.stopped, 10_000, 'the running job being stopped')).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('waits past connectTimeout for a job Redis accepted, up to the deadline', async () => {
    const queue = uniqueQueueName('past-connect-timeout');
    const slow = defineTask('slow', async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      return ms;
    });
    const watched = watchedTask('watched');
    await workerOn(queue, [slow, watched.task]);
    // 500 ms for a fresh backend to connect and add its first job: 100 ms was too little on Deno on a busy machine.
    const backend = backendOn(queue, { connectTimeout: 500, timeout: 20_000 });
    await expect(backend.runTask('slow', 1_000)).resolves.toBe(1_000);
    const call = rejectionOf(backend.runTask('watched', null, { timeout: 3_000 }));
    await within(watched.started, 2_500, 'the job starting on the worker');
    const error = await call;
    expect(error.code).toBe('TASK_TIMEOUT');
    await expect(within(watched.stopped, 10_000, 'the running job being stopped')).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
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

    // The same for a failure: the recheck reads the failed reason, and a retried job's old reason does not hide its result.
    const failing = rejectionOf(backend.runTask('double', 2));
    const retried = backend.runTask('double', 3);
    // The first job is still in the wait list: only its hash said it finished.
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 3 }));
    const waiting = await backend.queue.getWaiting();
    const inputOf = (added: { data: unknown }): unknown => decodeJobValue((added.data as { encoded: string }).encoded);
    const second = waiting.find((added) => inputOf(added) === 2);
    const third = waiting.find((added) => inputOf(added) === 3);
    await client.hset(backend.queue.toKey(second?.id as string), { failedReason: 'disk full', finishedOn: String(Date.now()) });
    await client.hset(backend.queue.toKey(third?.id as string), { failedReason: 'flaky', returnvalue: JSON.stringify({ result: 6 }), finishedOn: String(Date.now()) });
    await expect(failing).resolves.toMatchObject({ code: 'TASK_FAILED', message: expect.stringContaining('disk full') });
    await expect(retried).resolves.toBe(6);
  });

  it('counts timeouts and aborts in stats() apart from failures', async () => {
    const queue = uniqueQueueName('stats');
    const watched = watchedTask('watched');
    const boom = defineTask('boom', (): never => {
      throw new Error('boom');
    });
    await workerOn(queue, [double, boom, watched.task]);
    const backend = backendOn(queue);
    await expect(backend.runTask('double', 1)).resolves.toBe(2);
    await expect(rejectionOf(backend.runTask('boom', null))).resolves.toMatchObject({ code: 'TASK_FAILED' });
    await expect(rejectionOf(backend.runTask('watched', null, { timeout: 200 }))).resolves.toMatchObject({ code: 'TASK_TIMEOUT' });
    await expect(rejectionOf(backend.runTask('double', 1, { signal: AbortSignal.abort() }))).resolves.toMatchObject({ code: 'TASK_ABORTED' });
    expect(backend.stats()).toEqual({ waiting: 0, completed: 1, failed: 1, timedOut: 1, aborted: 1 });
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

describe('createBullmqBackend: no leaks, no hangs', () => {
  it('leaves no timers, abort listeners or waiting calls behind after many calls', async () => {
    const queue = uniqueQueueName('leaks');
    await workerOn(queue, [double], 50);
    const backend = backendOn(queue, { tasks: [double] });
    await expect(backend.runTask('double', 0)).resolves.toBe(0);
    const timersBefore = refedTimers();
    const controller = new AbortController();
    const inputs = Array.from({ length: 300 }, (_, index) => index);
    const results = await Promise.all(
      inputs.map((n) => backend.runTask('double', n % 10, { signal: controller.signal, ...(n % 3 === 0 ? { idempotencyKey: `leak-${n % 10}` } : {}) })),
    );
    expect(results).toEqual(inputs.map((n) => (n % 10) * 2));
    expect(backend.stats()).toMatchObject({ waiting: 0, failed: 0, timedOut: 0, aborted: 0 });
    expect(backend.stats().completed).toBeGreaterThanOrEqual(301);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // A leak would leave one per call (300); BullMQ and ioredis may hold a few of their own for a moment.
    expect(refedTimers()).toBeLessThan(timersBefore + 10);
  });

  it('settles calls by their deadline when Redis takes connections but never answers, and leaves no timers behind', async () => {
    // A black hole: connections open and nothing comes back, as with a Redis that hangs or a network that drops packets.
    const sockets = new Set<Socket>();
    const hole = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
    });
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hole.close(resolve));
    });
    const { port } = hole.address() as AddressInfo;
    const backend = backendOn('black-hole', { connection: `redis://127.0.0.1:${port}`, connectTimeout: 300, timeout: 60_000 });
    const timersBefore = refedTimers();
    const startedAt = Date.now();
    const calls = Array.from({ length: 40 }, (_, n) => rejectionOf(backend.runTask('double', n)));
    for (const error of await Promise.all(calls)) expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    // A call whose own deadline comes before connectTimeout times out at its deadline.
    const short = await rejectionOf(backend.runTask('double', 1, { timeout: 100 }));
    expect(short).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'double', backend: 'bullmq' });
    // Calls aborted before Redis answered, and calls that close() settles, go the same way.
    const controller = new AbortController();
    const aborted = Array.from({ length: 20 }, (_, n) => rejectionOf(backend.runTask('double', n, { signal: controller.signal, timeout: 20_000 })));
    controller.abort();
    for (const error of await Promise.all(aborted)) expect(error.code).toBe('TASK_ABORTED');
    const closed = Array.from({ length: 20 }, (_, n) => rejectionOf(backend.runTask('double', n, { timeout: 20_000 })));
    await backend.close();
    for (const error of await Promise.all(closed)) expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(backend.stats()).toEqual({ waiting: 0, completed: 0, failed: 60, timedOut: 1, aborted: 20 });
    // Each call's 60 s deadline must go with it: a leak would leave 80 timers holding the process.
    expect(refedTimers()).toBeLessThan(timersBefore + 10);
  });

  it('rejects with TASK_ABORTED when someone else removes the job', async () => {
    const queue = uniqueQueueName('removed');
    const backend = backendOn(queue, { timeout: 20_000, recheckInterval: 20_000 });
    const call = rejectionOf(backend.runTask('double', 1));
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 }));
    const [job] = await backend.queue.getWaiting();
    await backend.queue.remove(job?.id as string);
    await expect(call).resolves.toMatchObject({ code: 'TASK_ABORTED', message: expect.stringContaining('removed') });
  });

  it('rejects with TASK_ABORTED when the job vanishes from Redis without a removed event', async () => {
    const queue = uniqueQueueName('vanished');
    const backend = backendOn(queue, { timeout: 20_000, recheckInterval: 200 });
    const startedAt = Date.now();
    const call = rejectionOf(backend.runTask('double', 1));
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 }));
    const [job] = await backend.queue.getWaiting();
    const client = await rawClientOf(backend);
    // As a hand-written clean-up would: the job's hash and its place in the wait list go, and no event says so.
    await client.del(backend.queue.toKey(job?.id as string));
    await client.lrem(backend.queue.keys['wait'] as string, 0, job?.id as string);
    await expect(call).resolves.toMatchObject({ code: 'TASK_ABORTED' });
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });

  it('keeps receiving events after an event BullMQ cannot parse ends its event loop', async () => {
    const queue = uniqueQueueName('junk-event');
    const backend = backendOn(queue, { timeout: 15_000, recheckInterval: 20_000 });
    await workerOn(queue, [double]);
    await expect(backend.runTask('double', 1)).resolves.toBe(2);
    const client = await rawClientOf(backend);
    // QueueEvents JSON-parses a completed event's returnvalue outside any try: this one throws there.
    await client.xadd(backend.queue.keys['events'] as string, '*', 'event', 'completed', 'jobId', 'junk', 'returnvalue', '{not json');
    // Without a new QueueEvents, this call would wait for the recheck (20 s) and time out first (15 s).
    await expect(backend.runTask('double', 2)).resolves.toBe(4);
    await expect(backend.runTask('double', 3)).resolves.toBe(6);
  });

  it('runs a job again under an idempotency key whose earlier job was cancelled before it started', async () => {
    const queue = uniqueQueueName('key-reuse');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const blocker = defineTask('blocker', () => released);
    await workerOn(queue, [blocker, double], 1);
    const backend = backendOn(queue);
    const blocked = backend.runTask('blocker', null);
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('active')).toMatchObject({ active: 1 }));

    // Hear the cancel as the worker does, to know it has been told before the key is used again.
    const listener = (await rawClientOf(backend)).duplicate();
    cleanups.push(async () => listener.disconnect());
    const heard = new Promise<string>((resolve) => listener.on('message', (_channel: string, message: string) => resolve(message)));
    await listener.subscribe(cancelChannelOf('bull', queue));
    const controller = new AbortController();
    const first = rejectionOf(backend.runTask('double', 21, { idempotencyKey: 'k', signal: controller.signal }));
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 1 }));
    controller.abort();
    await expect(first).resolves.toMatchObject({ code: 'TASK_ABORTED' });
    expect(JSON.parse(await heard)).toMatchObject({ jobId: jobIdFor('double', 'k') });
    await vi.waitFor(async () => expect(await backend.queue.getJobCounts('waiting')).toMatchObject({ waiting: 0 }));

    const second = backend.runTask('double', 21, { idempotencyKey: 'k' });
    release();
    await blocked;
    await expect(second).resolves.toBe(42);
  });

  it("reads a foreign worker's junk, as a result or as a failure, as an error with a code, never a crash", async () => {
    const queue = uniqueQueueName('foreign-junk');
    const deep = `${'{"name":"ComputeError","code":"TASK_FAILED","message":"m","cause":'.repeat(2_000)}null${'}'.repeat(2_000)}`;
    const reasons: Record<string, string> = {
      spoofedShape: '{"name":"ComputeError","code":"TASK_FAILED","message":{"not":"a string"},"cause":[1,2]}',
      unknownCode: '{"name":"ComputeError","code":"NOT_A_CODE","message":"m"}',
      truncated: '{"name":"ComputeError","code":"TASK_FAIL',
      deep,
      proto: '{"name":"ComputeError","code":"TASK_FAILED","message":"m","__proto__":{"polluted":true},"cause":{"__proto__":null}}',
    };
    const foreign = new Worker(
      queue,
      async (job) => {
        if (job.name === 'object') return { answer: 42 };
        if (job.name === 'array') return [1, 2];
        throw new Error(reasons[job.name] ?? 'unknown');
      },
      { connection: { url: redisUrl }, concurrency: 10 },
    );
    cleanups.push(() => foreign.close(true));
    const backend = backendOn(queue);
    expect((await rejectionOf(backend.runTask('object', null))).code).toBe('PROTOCOL_ERROR');
    expect((await rejectionOf(backend.runTask('array', null))).code).toBe('PROTOCOL_ERROR');
    for (const name of Object.keys(reasons)) {
      const error = await rejectionOf(backend.runTask(name, null));
      expect(error.code, name).toBe('TASK_FAILED');
      expect(typeof error.message, name).toBe('string');
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    // And the backend still works after all that.
    await foreign.close(true);
    await workerOn(queue, [double]);
    await expect(backend.runTask('double', 4)).resolves.toBe(8);
  });
});

describe('createBullmqWorker: clean-up', () => {
  it('unsubscribes from the cancel channel when closed', async () => {
    const queue = uniqueQueueName('unsubscribe');
    const backend = backendOn(queue);
    const worker = await workerOn(queue, [double]);
    const client = await rawClientOf(backend);
    const subscribers = async (): Promise<number> => {
      const [, count] = (await client.call('PUBSUB', 'NUMSUB', cancelChannelOf('bull', queue))) as [string, number];
      return Number(count);
    };
    expect(await subscribers()).toBe(1);
    await worker.close();
    await vi.waitFor(async () => expect(await subscribers()).toBe(0));
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

  it('rejects with TASK_TIMEOUT at the deadline when it comes before connectTimeout, naming the task and the backend', async () => {
    const port = await freePort();
    const backend = backendOn('unreachable', { connection: `redis://127.0.0.1:${port}`, connectTimeout: 20_000, name: 'queued' });
    const startedAt = Date.now();
    const error = await rejectionOf(backend.runTask('double', 1, { timeout: 300 }));
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'double', backend: 'queued' });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it("fails a job at its deadline even when the worker's backend ignores the signal", async () => {
    const queue = uniqueQueueName('deaf');
    const deaf = { canRun: () => true, runTask: () => new Promise<never>(() => {}) };
    const worker = createBullmqWorker({ connection: redisUrl, queue, backend: deaf });
    cleanups.push(() => worker.close(true));
    await worker.waitUntilReady();
    const failed = new Promise<string>((resolve) => worker.worker.on('failed', (_job, error) => resolve(error.message)));
    const active = new Promise<void>((resolve) => worker.worker.on('active', () => resolve()));
    const call = rejectionOf(backendOn(queue).runTask('anything', null, { timeout: 3_000 }));
    // Taken before its deadline, so the worker's own deadline is what fails it (not the caller removing a waiting job).
    await within(active, 2_500, 'the job starting on the worker');
    const error = await call;
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(decodeJobFailure(await within(failed, 10_000, "the worker failing the job"), 'anything', 'bullmq').code).toBe('TASK_TIMEOUT');
  });
});
