import { computeRejectionOf, rejectionOf } from '@hybridcompute/backend-conformance';
import { defineTask } from '@hybridcompute/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sameThreadPlatform } from '../test/same-thread-platform.js';
import { WorkerBackend } from './worker-backend.js';
import type { WorkerBackendOptions } from './worker-backend-options.js';

const tasks = [
  defineTask('double', (n: number) => n * 2),
  defineTask('fail', () => {
    throw new Error('no');
  }),
  defineTask('later', (input: { ms: number; value: unknown }, context) => {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, input.ms, input.value);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(context.signal.reason);
      });
    });
  }),
];

const pools: WorkerBackend[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

// The pool over workers that serve in this thread (see test/same-thread-platform.ts); test/*.test.ts run it on real threads.
function pool(options: Partial<WorkerBackendOptions> = {}): WorkerBackend {
  const backend = new WorkerBackend({ url: 'tasks', size: 1, ...options }, sameThreadPlatform(tasks));
  pools.push(backend);
  return backend;
}

describe('WorkerBackend', () => {
  it('throws an INVALID_REQUEST TypeError for bad options, before it starts any worker', () => {
    const platform = sameThreadPlatform(tasks);
    const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });
    expect(() => new WorkerBackend({ url: '' }, platform)).toThrow(invalid);
    expect(() => new WorkerBackend({ url: 'tasks', size: 0 }, platform)).toThrow(invalid);
    expect(() => new WorkerBackend({ url: 'tasks', atomics: 'yes' as never }, platform)).toThrow(invalid);
    expect(platform.workers).toEqual([]);
  });

  it('is starting until a worker has done its handshake; then taskNames lists the workers’ tasks', async () => {
    const backend = pool({ tasks: ['double'] });
    expect([backend.starting, backend.taskNames, backend.canRun('double'), backend.canRun('fail')]).toEqual([true, ['double'], true, false]);
    await backend.ready();
    expect([backend.starting, backend.taskNames, backend.canRun('fail')]).toEqual([false, ['double', 'fail', 'later'], true]);
    expect(pool().taskNames).toEqual([]);
  });

  it('counts timed-out and aborted calls apart from failed ones', async () => {
    const backend = pool();
    await backend.ready();
    await backend.runTask('double', 1);
    await computeRejectionOf(backend.runTask('fail', null));
    const timedOut = await computeRejectionOf(backend.runTask('later', { ms: 10_000 }, { timeout: 20 }));
    const controller = new AbortController();
    const aborted = backend.runTask('later', { ms: 10_000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    const preAborted = await computeRejectionOf(backend.runTask('double', 1, { signal: AbortSignal.abort() }));
    expect([timedOut.code, (await computeRejectionOf(aborted)).code, preAborted.code]).toEqual(['TASK_TIMEOUT', 'TASK_ABORTED', 'TASK_ABORTED']);
    expect(timedOut.message).toBe("Task 'later' timed out after 20 ms on backend 'worker'");
    // Refused at once: counted nowhere.
    expect((await rejectionOf(backend.runTask('double', 1, { timeout: -1 }))).code).toBe('INVALID_REQUEST');
    await computeRejectionOf(backend.runTask('nope', 1));
    expect(backend.stats()).toMatchObject({ completed: 1, failed: 1, timedOut: 1, aborted: 2, queued: 0 });
    // Aborted calls hold their slot until their task has stopped.
    await expect.poll(() => backend.stats().running).toBe(0);
  });

  it('reports its load: calls on workers, workers × concurrentTasksPerWorker, calls waiting, workers as parallelism', async () => {
    const backend = pool({ size: 2, concurrentTasksPerWorker: 2 });
    expect(backend.load()).toEqual({ inFlight: 0, capacity: 0, queued: 0, parallelism: 0 });
    await backend.ready();
    const calls = Array.from({ length: 5 }, (_, index) => backend.runTask('later', { ms: 30, value: index }));
    expect(backend.load()).toEqual({ inFlight: 4, capacity: 4, queued: 1, parallelism: 2 });
    await expect(Promise.all(calls)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(backend.load()).toEqual({ inFlight: 0, capacity: 4, queued: 0, parallelism: 2 });
  });

  it('counts only run time toward a timeout: it starts when a worker takes the call', async () => {
    const backend = pool({ concurrentTasksPerWorker: 1, taskTimeout: 100 });
    await backend.ready();
    // Each waits for the one before: counting queue time, the second and the third would time out.
    const first = backend.runTask('later', { ms: 60, value: 'first' });
    const second = backend.runTask('later', { ms: 60, value: 'second' });
    const third = backend.runTask('later', { ms: 20, value: 'third' }, { timeout: 80 });
    await expect(Promise.all([first, second, third])).resolves.toEqual(['first', 'second', 'third']);
    expect(backend.stats().waitTime.max).toBeGreaterThanOrEqual(100);
  });

  it('rejects QUEUE_FULL beyond maxQueue, naming the task and the backend', async () => {
    const backend = pool({ concurrentTasksPerWorker: 1, maxQueue: 1, name: 'pool' });
    await backend.ready();
    const running = backend.runTask('later', { ms: 20, value: 1 });
    const queued = backend.runTask('double', 2);
    const error = await computeRejectionOf(backend.runTask('double', 3));
    expect([error.code, error.taskName, error.backend]).toEqual(['QUEUE_FULL', 'double', 'pool']);
    await expect(Promise.all([running, queued])).resolves.toEqual([1, 4]);
  });

  it('drops a queued call whose signal aborts without ever starting it', async () => {
    const backend = pool({ concurrentTasksPerWorker: 1 });
    await backend.ready();
    const running = backend.runTask('later', { ms: 20, value: 'ran' });
    const controller = new AbortController();
    const queued = backend.runTask('double', 1, { signal: controller.signal });
    expect(backend.stats().queued).toBe(1);
    controller.abort();
    expect((await computeRejectionOf(queued)).code).toBe('TASK_ABORTED');
    expect(backend.stats().queued).toBe(0);
    await expect(running).resolves.toBe('ran');
    expect(backend.stats()).toMatchObject({ completed: 1, aborted: 1 });
  });

  it('after close(), rejects every call in flight and every new one with the same BACKEND_UNAVAILABLE, and can run nothing', async () => {
    const backend = pool({ concurrentTasksPerWorker: 1 });
    await backend.ready();
    const calls = [backend.runTask('later', { ms: 10_000 }), backend.runTask('double', 1)].map((call) => computeRejectionOf(call));
    expect(backend.load()).toMatchObject({ inFlight: 1, queued: 1 });
    await Promise.all([backend.close(), backend.close()]);
    const errors = await Promise.all([...calls, computeRejectionOf(backend.runTask('double', 2))]);
    expect(errors.map((error) => [error.code, error.message])).toEqual(Array.from({ length: 3 }, () => ['BACKEND_UNAVAILABLE', "The 'worker' backend is closed"]));
    expect(errors.map((error) => error.taskName)).toEqual(['later', 'double', 'double']);
    expect([backend.canRun('double'), backend.starting, backend.load()]).toEqual([false, false, { inFlight: 0, capacity: 0, queued: 0, parallelism: 0 }]);
    await expect(backend.ready()).resolves.toBeUndefined();
  });
});
