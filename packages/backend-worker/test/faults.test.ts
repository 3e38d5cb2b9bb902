import { ComputeError } from '@hybridcompute/core';
import { transferHandlers } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerBackend, type WorkerBackend, type WorkerBackendOptions } from '../src/node/index.js';

const faultWorker = new URL('./fixtures/fault-worker.mjs', import.meta.url);
const backends: WorkerBackend[] = [];

function pool(options: Partial<WorkerBackendOptions> = {}): WorkerBackend {
  const backend = createWorkerBackend({ url: faultWorker, size: 2, ...options });
  backends.push(backend);
  return backend;
}

afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.close()));
});

async function failure(call: Promise<unknown>): Promise<ComputeError> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (reason: unknown) => reason,
  );
  expect(ComputeError.isInstance(error), `not a ComputeError: ${String(error)}`).toBe(true);
  return error as ComputeError;
}

async function hundredCallsSucceed(backend: WorkerBackend): Promise<void> {
  const inputs = Array.from({ length: 100 }, (_, index) => index);
  await expect(Promise.all(inputs.map((n) => backend.runTask('double', n)))).resolves.toEqual(inputs.map((n) => n * 2));
}

describe('a worker that dies', () => {
  it('rejects the call of a task that calls process.exit with BACKEND_UNAVAILABLE, replaces the worker and serves the next 100 calls', async () => {
    const backend = pool();
    await backend.ready();
    const error = await failure(backend.runTask('exit', null));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.taskName).toBe('exit');
    expect(error.message).toContain('code 3');
    await hundredCallsSucceed(backend);
    await expect.poll(() => backend.stats().workers).toBe(2);
  });

  // Bun ignores a worker's resourceLimits and a Deno worker that reaches them hangs: the pool refuses them there.
  const keepsResourceLimits = (process.versions as { bun?: string }).bun === undefined && !('Deno' in globalThis);
  const resourceLimits = { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 };
  if (keepsResourceLimits) {
    it('rejects with BACKEND_UNAVAILABLE when a task runs the worker out of memory (resourceLimits)', async () => {
      const backend = pool({ workerOptions: { resourceLimits } });
      await backend.ready();
      const error = await failure(backend.runTask('allocate', null));
      expect(error.code).toBe('BACKEND_UNAVAILABLE');
      expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
      await hundredCallsSucceed(backend);
    });
  } else {
    it('refuses resourceLimits with INVALID_REQUEST on a runtime that does not keep them', () => {
      expect(() => pool({ workerOptions: { resourceLimits } })).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST', message: expect.stringContaining('resourceLimits is not supported') }),
      );
      expect(() => pool({ workerOptions: {} })).not.toThrow();
    });
  }

  it('rejects the calls of a worker that throws outside any task, and recovers', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    const error = await failure(backend.runTask('throwLater', null));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain('thrown outside any task');
    await hundredCallsSucceed(backend);
  });

  it('lets a router fall back to another backend when the worker dies', async () => {
    const { createHybridCompute } = await import('@hybridcompute/core');
    const backend = pool();
    await backend.ready();
    const fallback = { canRun: (name: string) => name === 'exit', runTask: async () => 'ran elsewhere' as never };
    const compute = createHybridCompute({ worker: backend, other: fallback });
    await expect(compute.runTask('exit', null)).resolves.toBe('ran elsewhere');
  });
});

describe('a task that will not stop', () => {
  it('times out a task that loops forever, terminates its worker after the grace, and serves the next 100 calls', async () => {
    const backend = pool({ size: 1, taskTimeout: 200, abortGrace: 100 });
    await backend.ready();
    const before = await backend.runTask('thread', null);
    const neighbour = failure(backend.runTask('sleep', { ms: 60_000, value: 'never' }, { timeout: 60_000 }));
    const error = await failure(backend.runTask('spin', null));
    expect(error.code).toBe('TASK_TIMEOUT');
    expect(error.message).toBe("Task 'spin' timed out after 200 ms on backend 'worker'");
    // The other call on that worker cannot finish there: it fails over instead of hanging.
    expect((await neighbour).code).toBe('BACKEND_UNAVAILABLE');
    await hundredCallsSucceed(backend);
    await expect(backend.runTask('thread', null)).resolves.not.toBe(before);
  });

  it('rejects at once when the signal aborts, and keeps the worker when the task honours ctx.signal', async () => {
    const backend = pool({ size: 1, abortGrace: 60_000 });
    await backend.ready();
    const threadBefore = await backend.runTask('thread', null);
    const controller = new AbortController();
    const call = backend.runTask('abortable', null, { signal: controller.signal });
    await expect.poll(() => backend.stats().running).toBe(1);
    controller.abort();
    expect((await failure(call)).code).toBe('TASK_ABORTED');
    await expect.poll(() => backend.stats().running).toBe(0);
    await expect(backend.runTask('thread', null)).resolves.toBe(threadBefore);
  });

  it('never starts a queued call whose signal aborts', async () => {
    const backend = pool({ size: 1, concurrentTasksPerWorker: 1 });
    await backend.ready();
    const busy = backend.runTask('sleep', { ms: 300, value: 'busy' });
    const controller = new AbortController();
    const queued = backend.runTask('mark', null, { signal: controller.signal });
    expect(backend.stats().queued).toBe(1);
    controller.abort();
    expect((await failure(queued)).code).toBe('TASK_ABORTED');
    expect(backend.stats().queued).toBe(0);
    await expect(busy).resolves.toBe('busy');
    await expect(backend.runTask('markCount', null)).resolves.toBe(0);
  });

  it('counts run time, not queue time, toward taskTimeout and a per-call timeout', async () => {
    const backend = pool({ size: 1, concurrentTasksPerWorker: 1, taskTimeout: 2_000 });
    await backend.ready();
    const first = backend.runTask('sleep', { ms: 1_000, value: 'first' });
    const second = backend.runTask('sleep', { ms: 200, value: 'second' }, { timeout: 600 });
    const third = backend.runTask('sleep', { ms: 1_500, value: 'third' });
    await expect(Promise.all([first, second, third])).resolves.toEqual(['first', 'second', 'third']);
    expect(backend.stats().waitTime.max).toBeGreaterThan(600);
    const late = await failure(backend.runTask('sleep', { ms: 5_000, value: 'late' }, { timeout: 100 }));
    expect(late.code).toBe('TASK_TIMEOUT');
  });
});

describe('backpressure', () => {
  it('rejects a call beyond maxQueue with QUEUE_FULL', async () => {
    const backend = pool({ size: 1, concurrentTasksPerWorker: 1, maxQueue: 1 });
    await backend.ready();
    const running = backend.runTask('sleep', { ms: 100, value: 1 });
    const queued = backend.runTask('sleep', { ms: 1, value: 2 });
    const error = await failure(backend.runTask('double', 1));
    expect(error.code).toBe('QUEUE_FULL');
    await expect(Promise.all([running, queued])).resolves.toEqual([1, 2]);
  });

  it('queues calls made before ready() and runs them once the workers have started', async () => {
    const backend = pool();
    const early = backend.runTask('double', 5);
    expect(backend.canRun('double')).toBe(false);
    await expect(early).resolves.toBe(10);
    await backend.ready();
    expect(backend.canRun('double')).toBe(true);
    expect(backend.canRun('nothing')).toBe(false);
  });

  it('answers canRun before the handshake from the declared task names', () => {
    const backend = pool({ tasks: ['double'] });
    expect(backend.canRun('double')).toBe(true);
    expect(backend.canRun('echo')).toBe(false);
  });
});

describe('errors and values across the boundary', () => {
  it('keeps name, message, code, custom properties and the cause chain of a task error', async () => {
    const backend = pool();
    const error = await failure(backend.runTask('richError', null));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.backend).toBe('worker');
    const cause = error.cause as Error & { code: string; status: number; retryable: boolean; callback?: unknown; cause: unknown };
    expect(cause).toBeInstanceOf(Error);
    expect([cause.name, cause.message, cause.code, cause.status, cause.retryable]).toEqual(['Error', 'outer', 'E_OUTER', 418, false]);
    expect(cause.callback).toBeUndefined();
    const root = cause.cause as TypeError & { code: string; detail: unknown };
    expect(root).toBeInstanceOf(TypeError);
    expect([root.message, root.code, root.detail]).toEqual(['root cause', 'E_ROOT', { attempts: 3 }]);
  });

  it("rebuilds a task error whole without installing a comlink transfer handler on the main side", async () => {
    const backend = pool({ size: 1 });
    const error = await failure(backend.runTask('richError', null));
    expect((error.cause as { code?: unknown }).code).toBe('E_OUTER');
    const throwHandler = transferHandlers.get('throw') as object;
    expect(Object.getOwnPropertySymbols(throwHandler)).not.toContain(Symbol.for('@hybridcompute/backend-worker.errorTransferHandler'));
  });

  it("ignores messages the worker's own code posts on parentPort with ids like the pool's but not in comlink's reply format", async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    await expect(backend.runTask('chatter', null)).resolves.toBe('real');
    await expect(backend.runTask('double', 2)).resolves.toBe(4);
  });

  it('refuses a second exposeTasks in the same worker instead of running every call twice', async () => {
    const backend = pool({ size: 1 });
    await expect(backend.runTask('twice', null)).resolves.toBe('INVALID_REQUEST');
    await expect(backend.runTask('mark', null)).resolves.toBe(1);
  });

  it('keeps a thrown value that is not an Error', async () => {
    const error = await failure(pool().runTask('throwString', null));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.cause).toBe('a plain string');
  });

  it('rejects an input that cannot be cloned with INVALID_REQUEST, and keeps working', async () => {
    const backend = pool();
    await backend.ready();
    const error = await failure(backend.runTask('echo', { callback: () => 1 }));
    expect(error.code).toBe('INVALID_REQUEST');
    await expect(backend.runTask('double', 2)).resolves.toBe(4);
    expect(backend.stats().running).toBe(0);
  });

  it('rejects a result that cannot be cloned with TASK_FAILED, and keeps working', async () => {
    const backend = pool();
    const error = await failure(backend.runTask('unclonableResult', null));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.message).toContain('not structured-cloneable');
    await expect(backend.runTask('double', 3)).resolves.toBe(6);
  });

  it('rejects an unknown task with TASK_NOT_FOUND, listing the tasks', async () => {
    const backend = pool();
    await backend.ready();
    const error = await failure(backend.runTask('nope', null));
    expect(error.code).toBe('TASK_NOT_FOUND');
    expect(error.message).toContain('double');
  });
});

describe('calls sent together in one batch', () => {
  it('fails only the call whose result cannot be cloned', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    const outcomes = await Promise.allSettled([
      backend.runTask('echo', 'a'),
      backend.runTask('unclonableResult', null),
      backend.runTask('double', 4),
    ]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect(((outcomes[1] as PromiseRejectedResult).reason as ComputeError).message).toContain('not structured-cloneable');
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 8 });
  });

  it('settles every call of a batch whose worker dies in the middle of it, and recovers', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    const outcomes = await Promise.allSettled([
      backend.runTask('double', 1),
      backend.runTask('sleep', { ms: 60_000, value: 'never' }),
      backend.runTask('exit', null),
      backend.runTask('echo', 'after'),
    ]);
    const settled = outcomes.map((outcome) => (outcome.status === 'rejected' ? (outcome.reason as ComputeError).code : outcome.value));
    // The call before the exit may have been answered on its own before the worker died (a batch
    // that runs past its time budget answers call by call, which a loaded machine can cause);
    // every call after it, and the one that was running, fails over.
    expect([2, 'BACKEND_UNAVAILABLE']).toContain(settled[0]);
    expect(settled.slice(1)).toEqual(['BACKEND_UNAVAILABLE', 'BACKEND_UNAVAILABLE', 'BACKEND_UNAVAILABLE']);
    expect(backend.stats()).toMatchObject({ running: 0, queued: 0 });
    await hundredCallsSucceed(backend);
  });

  it('fails only the call whose input cannot be cloned', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    const outcomes = await Promise.allSettled([backend.runTask('echo', 'a'), backend.runTask('echo', { callback: () => 1 }), backend.runTask('double', 5)]);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect(((outcomes[1] as PromiseRejectedResult).reason as ComputeError).code).toBe('INVALID_REQUEST');
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 10 });
  });

  it('answers long synchronous tasks one by one instead of holding results for the whole batch', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    const resolvedAt: number[] = [];
    const calls = [0, 1, 2, 3].map((value) => backend.runTask('busy', { ms: 100, value }).then((result) => resolvedAt.push(performance.now()) && result));
    await expect(Promise.all(calls)).resolves.toEqual([0, 1, 2, 3]);
    // Held for the batch, all four would resolve together; one by one, they are about 100 ms apart.
    expect(resolvedAt[3]! - resolvedAt[0]!).toBeGreaterThan(150);
  });

  it('aborts a batched call that is still running in the worker, and frees its slot', async () => {
    const backend = pool({ size: 1, abortGrace: 60_000 });
    await backend.ready();
    const threadBefore = await backend.runTask('thread', null);
    const first = new AbortController();
    const second = new AbortController();
    const calls = [backend.runTask('abortable', null, { signal: first.signal }), backend.runTask('abortable', null, { signal: second.signal })];
    await expect.poll(() => backend.stats().running).toBe(2);
    first.abort();
    expect((await failure(calls[0]!)).code).toBe('TASK_ABORTED');
    await expect.poll(() => backend.stats().running).toBe(1);
    second.abort();
    expect((await failure(calls[1]!)).code).toBe('TASK_ABORTED');
    await expect.poll(() => backend.stats().running).toBe(0);
    await expect(backend.runTask('thread', null)).resolves.toBe(threadBefore);
  });

  it('moves transferables in both directions within a batch', async () => {
    const { transfer } = await import('../src/node/index.js');
    const backend = pool({ size: 1 });
    await backend.ready();
    const buffers = [new ArrayBuffer(64), new ArrayBuffer(64)];
    const results = (await Promise.all(buffers.map((buffer, index) => backend.runTask('fillBuffer', transfer({ buffer, value: index + 1 }, [buffer]))))) as {
      buffer: ArrayBuffer;
    }[];
    expect(buffers.map((buffer) => buffer.byteLength)).toEqual([0, 0]);
    expect(results.map((result) => new Uint8Array(result.buffer)[63])).toEqual([1, 2]);
  });
});

describe('idle workers sleeping on Atomics.wait (Node)', () => {
  for (const atomics of [true, false]) {
    it(`serves lone calls, batches, async batched calls and aborts to idle workers (atomics: ${atomics})`, async () => {
      const backend = pool({ size: 1, atomics, abortGrace: 60_000 });
      await backend.ready();
      // One at a time: the worker is idle between calls.
      for (let index = 0; index < 200; index++) expect(await backend.runTask('double', index)).toBe(index * 2);
      await expect(Promise.all([backend.runTask('double', 1), backend.runTask('echo', 'b'), backend.runTask('sleep', { ms: 5, value: 'c' })])).resolves.toEqual([2, 'b', 'c']);
      const controller = new AbortController();
      const aborted = backend.runTask('abortable', null, { signal: controller.signal });
      await expect.poll(() => backend.stats().running).toBe(1);
      controller.abort();
      expect((await failure(aborted)).code).toBe('TASK_ABORTED');
      await expect.poll(() => backend.stats().running).toBe(0);
      await expect(backend.runTask('sleep', { ms: 5, value: 'after' })).resolves.toBe('after');
    });
  }

  it('still turns the event loop of a worker fed one call at a time, so timers left behind by a task fire', async () => {
    const backend = pool({ size: 1 });
    await backend.ready();
    await backend.runTask('startTimer', null);
    let calls = 0;
    while (!(await backend.runTask('hasTimerFired', null))) {
      calls++;
      // A worker that never left its microtask loop would answer false for ever.
      if (calls > 50_000) throw new Error('the timer never fired');
    }
    expect(calls).toBeLessThan(50_000);
  });
});

describe('transfer', () => {
  it('moves an ArrayBuffer into the worker and back instead of copying it', async () => {
    const { transfer } = await import('../src/node/index.js');
    const backend = pool();
    const buffer = new ArrayBuffer(1024);
    const result = (await backend.runTask('fillBuffer', transfer({ buffer, value: 9 }, [buffer]))) as { buffer: ArrayBuffer; seenBytes: number };
    expect(buffer.byteLength).toBe(0);
    expect(result.seenBytes).toBe(1024);
    expect(new Uint8Array(result.buffer).every((byte) => byte === 9)).toBe(true);
  });

  it('moves an ArrayBuffer made in the worker out of it', async () => {
    const backend = pool();
    const buffer = (await backend.runTask('makeBuffer', 4096)) as ArrayBuffer;
    expect(buffer.byteLength).toBe(4096);
    expect(new Uint8Array(buffer)[4095]).toBe(7);
  });
});

describe('starting workers', () => {
  it('rejects ready() with the load error of a broken worker file instead of respawning forever', async () => {
    const backend = pool({ url: new URL('./fixtures/load-error-worker.mjs', import.meta.url) });
    const error = await failure(backend.ready());
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain('this worker file is broken');
    // Each later call names its own task, with the load error still as cause.
    const later = await failure(backend.runTask('double', 1));
    expect([later.code, later.taskName, later.backend, later.message]).toEqual(['BACKEND_UNAVAILABLE', 'double', 'worker', error.message]);
    expect(later.cause).toBe(error.cause);
    expect((await failure(backend.runTask('square', 1))).taskName).toBe('square');
    expect(backend.canRun('double')).toBe(false);
    expect(backend.stats().workers).toBe(0);
  });

  it('stops replacing workers that die right after their handshake, instead of respawning forever', async () => {
    const backend = pool({ url: new URL('./fixtures/crash-after-expose-worker.mjs', import.meta.url), size: 1 });
    // The handshake may come before the first death, so ready() may resolve; the pool must still give up.
    await backend.ready().catch(() => undefined);
    await expect.poll(() => backend.canRun('double'), { timeout: 20_000 }).toBe(false);
    const error = await failure(backend.runTask('double', 1));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain('keep exiting right after they start');
    expect((error.cause as Error).message).toContain('dies right after it starts');
    expect(backend.stats().workers).toBe(0);
  });

  it('rejects ready() when a worker never calls exposeTasks within startupTimeout', async () => {
    const backend = pool({ url: new URL('./fixtures/silent-worker.mjs', import.meta.url), startupTimeout: 500 });
    const error = await failure(backend.ready());
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain('did not call exposeTasks');
  });

  it('passes workerOptions to the Worker: a worker file that imports the tasks module named in workerData', async () => {
    const tasksModule = new URL('../../../tooling/backend-conformance/dist/conformance-tasks.js', import.meta.url).href;
    const backend = pool({ url: new URL('./fixtures/tasks-module-worker.mjs', import.meta.url), workerOptions: { workerData: { tasksModule } } });
    await backend.ready();
    expect(backend.canRun('delayedEcho')).toBe(true);
    await expect(backend.runTask('double', 21)).resolves.toBe(42);
  });

  it('runs a TypeScript worker file through tsx, from a .mjs file that registers it', async () => {
    const entry = new URL('./fixtures/typed-tasks.ts', import.meta.url).href;
    const backend = pool({ url: new URL('./fixtures/tsx-bootstrap.mjs', import.meta.url), size: 1, workerOptions: { workerData: { entry } } });
    await backend.ready();
    await expect(backend.runTask('greet', { name: 'ts' })).resolves.toBe('hello, ts');
  });
});
