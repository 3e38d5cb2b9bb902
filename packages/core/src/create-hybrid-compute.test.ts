import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ComputeError } from './compute-error.js';
import { createHybridCompute, HybridCompute } from './create-hybrid-compute.js';
import type { TaskSettledEvent, TaskStartEvent } from './hybrid-compute-types.js';
import type { ComputeBackendInterface, ComputeBackendLike, RunTaskOptions } from './types.js';

/** A real backend over plain functions, recording which calls reached it. */
function recordingBackend(name: string, tasks: Record<string, (input: unknown, options?: RunTaskOptions) => unknown>) {
  const calls: string[] = [];
  const backend = {
    calls,
    closed: false,
    canRun: (taskName: string) => Object.hasOwn(tasks, taskName),
    runTask: async (taskName: string, input: unknown, options?: RunTaskOptions) => {
      calls.push(taskName);
      const task = tasks[taskName];
      if (task === undefined) throw new ComputeError({ code: 'TASK_NOT_FOUND', taskName, backend: name });
      return task(input, options);
    },
    close: async () => {
      backend.closed = true;
    },
  };
  return backend;
}

function unavailableBackend(name: string, taskNames: string[]) {
  return recordingBackend(
    name,
    Object.fromEntries(
      taskNames.map((taskName) => [
        taskName,
        () => {
          throw new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: `${name} is down`, taskName, backend: name });
        },
      ]),
    ),
  );
}

/** A call that never settles on its own. */
const hang = () => new Promise(() => {});

async function rejection(call: Promise<unknown>): Promise<ComputeError & { cause?: unknown }> {
  const error = await call.then(
    () => {
      throw new Error('expected the call to reject');
    },
    (caught: unknown) => caught,
  );
  return error as ComputeError;
}

describe('the seed interface', () => {
  it("accepts the seed's example backend and runs it through the router", async () => {
    // The seed's example, with the one annotation its own signature needs (see README: migrating).
    const backend: ComputeBackendInterface = {
      canRun: (taskName) => taskName === 'double',
      runTask: async (taskName, input): Promise<any> => {
        if (taskName === 'double') return (input as number) * 2;
        throw new Error('Unknown task');
      },
    };
    const compute = createHybridCompute({ local: backend });
    await expect(compute.runTask<number, number>('double', 21)).resolves.toBe(42);
    await expect(compute.runTask('double', 21, 'local')).resolves.toBe(42);
  });

  it('accepts the seed example verbatim as a router backend', async () => {
    const compute = createHybridCompute({
      local: {
        canRun: (taskName) => taskName === 'double',
        runTask: async (taskName, input) => {
          if (taskName === 'double') return (input as number) * 2;
          throw new Error('Unknown task');
        },
      },
    });
    await expect(compute.runTask('double', 21)).resolves.toBe(42);
  });
});

describe('strategy auto', () => {
  it('asks worker, then local, then remote, then the others in insertion order', async () => {
    const extra = recordingBackend('gpu', { shared: () => 'gpu', gpuOnly: () => 'gpu' });
    const remote = recordingBackend('remote', { shared: () => 'remote', remoteOnly: () => 'remote' });
    const local = recordingBackend('local', { shared: () => 'local', localOnly: () => 'local' });
    const worker = recordingBackend('worker', { shared: () => 'worker' });
    const compute = createHybridCompute({ gpu: extra, remote, local, worker });
    expect(compute.order).toEqual(['worker', 'local', 'remote', 'gpu']);
    expect(compute.backendNames).toEqual(['gpu', 'remote', 'local', 'worker']);
    await expect(compute.runTask('shared', null)).resolves.toBe('worker');
    await expect(compute.runTask('localOnly', null)).resolves.toBe('local');
    await expect(compute.runTask('remoteOnly', null)).resolves.toBe('remote');
    await expect(compute.runTask('gpuOnly', null)).resolves.toBe('gpu');
    await expect(compute.runTask('shared', null, 'auto')).resolves.toBe('worker');
    await expect(compute.runTask('shared', null, {})).resolves.toBe('worker');
  });

  it('follows options.order, leaving other backends to explicit strategies', async () => {
    const local = recordingBackend('local', { shared: () => 'local' });
    const worker = recordingBackend('worker', { shared: () => 'worker' });
    const compute = createHybridCompute({ local, worker }, { order: ['local'] });
    await expect(compute.runTask('shared', null)).resolves.toBe('local');
    await expect(compute.runTask('shared', null, 'worker')).resolves.toBe('worker');
    expect(compute.canRun('shared')).toBe(true);
    expect(createHybridCompute({ worker }, { order: [] }).canRun('shared')).toBe(false);
  });

  it('rejects with NO_BACKEND naming the task, the strategy and the backends asked', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', {}), worker: recordingBackend('worker', {}) });
    const error = await rejection(compute.runTask('missing', 1));
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error.code).toBe('NO_BACKEND');
    expect(error.taskName).toBe('missing');
    expect(error.message).toContain("No backend available for task 'missing' using strategy 'auto'");
    expect(error.message).toContain('none of worker, local can run it');
  });

  it('says so when the router has no backends at all, or an empty order', async () => {
    const error = await rejection(createHybridCompute({}).runTask('anything', 1));
    expect(error.code).toBe('NO_BACKEND');
    expect(error.message).toContain('the router has no backends');
    const emptyOrder = await rejection(createHybridCompute({ local: recordingBackend('local', {}) }, { order: [] }).runTask('t', 1));
    expect(emptyOrder.message).toContain('its order is empty (backends: local; name one as the strategy)');
  });

  it('falls back to the next backend when one is unavailable', async () => {
    const worker = unavailableBackend('worker', ['hash']);
    const local = recordingBackend('local', { hash: (input) => `local:${String(input)}` });
    const compute = createHybridCompute({ worker, local });
    await expect(compute.runTask('hash', 'x')).resolves.toBe('local:x');
    expect(worker.calls).toEqual(['hash']);
    expect(local.calls).toEqual(['hash']);
  });

  it('skips backends that cannot run the task while falling back', async () => {
    const worker = unavailableBackend('worker', ['hash']);
    const local = recordingBackend('local', {});
    const remote = recordingBackend('remote', { hash: () => 'remote' });
    await expect(createHybridCompute({ worker, local, remote }).runTask('hash', 1)).resolves.toBe('remote');
    expect(local.calls).toEqual([]);
  });

  it('reports every unavailable backend when all of them are', async () => {
    const compute = createHybridCompute({ worker: unavailableBackend('worker', ['t']), remote: unavailableBackend('remote', ['t']) });
    const error = await rejection(compute.runTask('t', 1));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.message).toContain('worker: worker is down');
    expect(error.message).toContain('remote: remote is down');
    expect((error.cause as ComputeError).backend).toBe('remote');
  });

  it("passes a single backend's unavailability through unchanged", async () => {
    const error = await rejection(createHybridCompute({ worker: unavailableBackend('worker', ['t']) }).runTask('t', 1));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: 'worker is down' });
  });

  it("never retries a task's own failure elsewhere", async () => {
    const worker = recordingBackend('worker', {
      parse: () => {
        throw new ComputeError({ code: 'TASK_FAILED', message: 'bad json', taskName: 'parse' });
      },
    });
    const local = recordingBackend('local', { parse: () => 'parsed' });
    const error = await rejection(createHybridCompute({ worker, local }).runTask('parse', '{'));
    expect(error.code).toBe('TASK_FAILED');
    expect(local.calls).toEqual([]);
  });

  it('reports the failure of the last backend tried when a fallback fails on its own', async () => {
    const worker = unavailableBackend('worker', ['t']);
    const local = recordingBackend('local', {
      t: () => {
        throw new ComputeError({ code: 'TASK_FAILED', message: 'local broke', taskName: 't' });
      },
    });
    const error = await rejection(createHybridCompute({ worker, local }).runTask('t', 1));
    expect(error).toMatchObject({ code: 'TASK_FAILED', message: 'local broke' });
  });

  it('does not fall back under an explicit strategy', async () => {
    const worker = unavailableBackend('worker', ['hash']);
    const local = recordingBackend('local', { hash: () => 'local' });
    const error = await rejection(createHybridCompute({ worker, local }).runTask('hash', 1, 'worker'));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(local.calls).toEqual([]);
  });

  it('treats a backend whose canRun throws as unable to run the task', async () => {
    const broken: ComputeBackendLike = {
      canRun: () => {
        throw new Error('canRun exploded');
      },
      runTask: async () => 'broken',
    };
    const compute = createHybridCompute({ worker: broken, local: recordingBackend('local', { t: () => 'local' }) });
    expect(compute.canRun('t')).toBe(true);
    await expect(compute.runTask('t', 1)).resolves.toBe('local');
  });
});

describe('a router over one backend, nothing observing (its shortest path)', () => {
  it('answers, and rejects what the longer path rejects: a sync throw, a canRun that throws, a task it lacks', async () => {
    const sole = recordingBackend('local', { t: () => 'sole' });
    await expect(createHybridCompute({ local: sole }).runTask('t', 1)).resolves.toBe('sole');
    const throwing: ComputeBackendLike = {
      canRun: () => true,
      runTask: () => {
        throw new Error('thrown, not rejected');
      },
    };
    await expect(createHybridCompute({ local: throwing }).runTask('t', 1)).rejects.toThrow('thrown, not rejected');
    const exploding: ComputeBackendLike = {
      canRun: () => {
        throw new Error('canRun exploded');
      },
      runTask: async () => 'never',
    };
    expect((await rejection(createHybridCompute({ local: exploding }).runTask('t', 1))).code).toBe('NO_BACKEND');
    const missing = await rejection(createHybridCompute({ local: sole }).runTask('nope', 1));
    expect(missing.code).toBe('NO_BACKEND');
    expect(missing.message).toContain("task 'nope'");
  });

  it('rejects after close(), as every router does', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { t: () => 'sole' }) });
    await compute.close();
    expect((await rejection(compute.runTask('t', 1))).code).toBe('BACKEND_UNAVAILABLE');
  });
});

describe('explicit strategies', () => {
  it('runs on the named backend without asking canRun', async () => {
    const remote = recordingBackend('remote', { t: () => 'remote' });
    const compute = createHybridCompute({ remote: { canRun: () => false, runTask: remote.runTask } });
    await expect(compute.runTask('t', 1, 'remote')).resolves.toBe('remote');
    await expect(compute.runTask('t', 1, { strategy: 'remote' })).resolves.toBe('remote');
  });

  it('rejects a strategy that names no backend with NO_BACKEND listing the backends', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', {}), remote: recordingBackend('remote', {}) });
    // @ts-expect-error: the types know there is no 'worker'; this checks what a caller without them gets
    const error = await rejection(compute.runTask('t', 1, 'worker'));
    expect(error.code).toBe('NO_BACKEND');
    expect(error.message).toContain("No backend available for task 't' using strategy 'worker'");
    expect(error.message).toContain('backends: local, remote');
  });

  it("passes the backend's TASK_NOT_FOUND through", async () => {
    const error = await rejection(createHybridCompute({ local: recordingBackend('local', {}) }).runTask('t', 1, 'local'));
    expect(error.code).toBe('TASK_NOT_FOUND');
  });
});

describe('bad arguments', () => {
  const compute = createHybridCompute({ local: recordingBackend('local', { t: () => 1 }) });

  it.each([
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
    ['a function', () => 'auto'],
  ])('rejects a strategy that is %s with a TypeError', async (_label, strategy) => {
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = compute.runTask('t', 1, strategy as never);
    }).not.toThrow();
    const error = await rejection(call as Promise<unknown>);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(error.message).toContain('strategy name or { strategy, signal, timeout }');
  });

  it.each([
    ['a strategy that is not a string', { strategy: 7 }, 'strategy must be a string'],
    ['a signal that is not an AbortSignal', { signal: 'stop' }, 'signal must be an AbortSignal'],
    ['a negative timeout', { timeout: -1 }, 'timeout must be'],
    ['a negative timeout', { timeout: -1 }, 'timeout must be'],
    ['a signal that is not an AbortSignal', { signal: {} }, 'signal must be an AbortSignal'],
    ['a NaN timeout', { timeout: Number.NaN }, 'timeout must be'],
    ['a timeout past the timer limit', { timeout: 2 ** 31 }, 'timeout must be'],
    ['a string timeout', { timeout: '100' }, 'timeout must be'],
  ])('rejects options with %s', async (_label, options, message) => {
    const error = await rejection(compute.runTask('t', 1, options as never));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
  });

  it('rejects a task name that is not a string', async () => {
    const error = await rejection(compute.runTask(7 as never, 1));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('task name must be a string');
  });

  it('throws at construction for a backend without canRun and runTask, naming it', () => {
    expect(() => createHybridCompute({ local: { canRun: () => true } as never })).toThrow(/backend 'local' must have canRun\(\) and runTask\(\)/);
    expect(() => createHybridCompute(null as never)).toThrow(TypeError);
  });

  it('throws at construction for an order that names an unknown backend', () => {
    // @ts-expect-error: the types know there is no 'locla'; this checks what a caller without them gets
    expect(() => createHybridCompute({ local: recordingBackend('local', {}) }, { order: ['locla'] })).toThrow(
      "order names backend 'locla', which is not configured (backends: local)",
    );
  });

  it("refuses a backend named 'auto', which no strategy could reach", () => {
    expect(() => createHybridCompute({ auto: recordingBackend('auto', {}) })).toThrow("no backend may be named 'auto'");
  });

  it('keeps runTask and canRun working when detached from the router', async () => {
    const { runTask, canRun } = createHybridCompute({ local: recordingBackend('local', { t: () => 'detached' }) });
    expect(canRun('t')).toBe(true);
    await expect(runTask('t', 1)).resolves.toBe('detached');
  });

  it('ignores backends given as undefined', () => {
    expect(createHybridCompute({ local: recordingBackend('local', {}), worker: undefined }).backendNames).toEqual(['local']);
  });
});

describe('backends that break the contract', () => {
  it('turns a synchronous throw from runTask into a rejection with the same error', async () => {
    const thrown = new Error('sync boom');
    const compute = createHybridCompute({
      local: {
        canRun: () => true,
        runTask: () => {
          throw thrown;
        },
      },
    });
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = compute.runTask('t', 1);
    }).not.toThrow();
    expect(await rejection(call as Promise<unknown>)).toBe(thrown);
  });

  it('falls back past a backend that throws BACKEND_UNAVAILABLE synchronously', async () => {
    const worker = {
      canRun: () => true,
      runTask: () => {
        throw new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'pool closed', backend: 'worker' });
      },
    };
    await expect(createHybridCompute({ worker, local: recordingBackend('local', { t: () => 'local' }) }).runTask('t', 1)).resolves.toBe('local');
  });

  it('accepts a plain value or a thenable from runTask', async () => {
    const plain = { canRun: () => true, runTask: () => 5 as never };
    const thenable = { canRun: () => true, runTask: () => ({ then: (resolve: (v: number) => void) => resolve(6) }) as never };
    await expect(createHybridCompute({ local: plain }).runTask('t', 1)).resolves.toBe(5);
    await expect(createHybridCompute({ local: thenable }).runTask('t', 1)).resolves.toBe(6);
  });
});

describe('timeout and signal', () => {

  it('rejects with TASK_TIMEOUT at the deadline even if the backend ignores the signal', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { hang }) });
    const startedAt = performance.now();
    const error = await rejection(compute.runTask('hang', 1, { timeout: 30 }));
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'hang', backend: 'local', message: "Task 'hang' timed out after 30 ms on backend 'local'" });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(25);
  });

  it('hands the backend a signal that aborts with the TASK_TIMEOUT error', async () => {
    let received: AbortSignal | undefined;
    const compute = createHybridCompute({
      local: recordingBackend('local', {
        watch: (_input, options) => {
          received = options?.signal ?? undefined;
          return hang();
        },
      }),
    });
    const error = await rejection(compute.runTask('watch', 1, { timeout: 10 }));
    expect(received?.aborted).toBe(true);
    expect(received?.reason).toBe(error);
  });

  it('rejects with TASK_ABORTED when the caller aborts, keeping the reason as cause', async () => {
    const controller = new AbortController();
    const compute = createHybridCompute({ local: recordingBackend('local', { hang }) });
    const call = compute.runTask('hang', 1, { signal: controller.signal, timeout: 60_000 });
    const reason = new Error('user navigated away');
    controller.abort(reason);
    const error = await rejection(call);
    expect(error).toMatchObject({ code: 'TASK_ABORTED', taskName: 'hang' });
    expect(error.cause).toBe(reason);
  });

  it('rejects at once for a signal that is already aborted, without calling the backend', async () => {
    const local = recordingBackend('local', { t: () => 1 });
    const error = await rejection(createHybridCompute({ local }).runTask('t', 1, { signal: AbortSignal.abort() }));
    expect(error.code).toBe('TASK_ABORTED');
    expect(local.calls).toEqual([]);
  });

  it('maps a TimeoutError reason from AbortSignal.timeout to TASK_TIMEOUT', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { hang }) });
    await expect(compute.runTask('hang', 1, { signal: AbortSignal.timeout(10) })).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('does not fall back once the call is aborted', async () => {
    const worker = recordingBackend('worker', {
      t: (_input, options) =>
        new Promise((_resolve, reject) =>
          options?.signal?.addEventListener('abort', () =>
            reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'gone', backend: 'worker' })),
          ),
        ),
    });
    const local = recordingBackend('local', { t: () => 'local' });
    const controller = new AbortController();
    const call = createHybridCompute({ worker, local }).runTask('t', 1, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TASK_ABORTED' });
    expect(local.calls).toEqual([]);
  });

  describe('leaves nothing behind', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it.each([
      ['resolves', () => 'ok'],
      ['rejects', () => Promise.reject(new ComputeError({ code: 'TASK_FAILED', message: 'no' }))],
    ])('clears its timer and its listener on the caller signal when the call %s', async (_label, task) => {
      vi.useFakeTimers();
      const caller = new AbortController();
      const compute = createHybridCompute({ local: recordingBackend('local', { t: task }) });
      const call = compute.runTask('t', 1, { timeout: 600_000, signal: caller.signal });
      expect(vi.getTimerCount()).toBe(1);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
      await call.catch(() => undefined);
      expect(vi.getTimerCount()).toBe(0);
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    });

    it('removes the hook listener from the call signal, whichever settles first', async () => {
      let seen: AbortSignal | undefined;
      const compute = createHybridCompute(
        {
          local: recordingBackend('local', {
            t: (_input, options) => {
              seen = options?.signal ?? undefined;
              return 'ok';
            },
            hang: (_input, options) => {
              seen = options?.signal ?? undefined;
              return hang();
            },
          }),
        },
        { onTaskSettled: () => {} },
      );
      await compute.runTask('t', 1, { timeout: 600_000 });
      expect(getEventListeners(seen as AbortSignal, 'abort')).toHaveLength(0);
      await compute.runTask('hang', 1, { timeout: 5 }).catch(() => undefined);
      expect(getEventListeners(seen as AbortSignal, 'abort')).toHaveLength(0);
    });

    it('clears them when the deadline wins', async () => {
      const caller = new AbortController();
      const compute = createHybridCompute({ local: recordingBackend('local', { hang }) });
      await expect(compute.runTask('hang', 1, { timeout: 5, signal: caller.signal })).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
      expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    });
  });
});

describe('hooks', () => {
  it('reports start and settle for each attempt, with backend, duration and outcome', async () => {
    const starts: TaskStartEvent[] = [];
    const settles: TaskSettledEvent[] = [];
    const compute = createHybridCompute(
      { worker: unavailableBackend('worker', ['t']), local: recordingBackend('local', { t: () => 'ok' }) },
      { onTaskStart: (event) => starts.push(event), onTaskSettled: (event) => settles.push(event) },
    );
    await expect(compute.runTask('t', 1)).resolves.toBe('ok');
    // One call: both attempts carry its id, and say why each backend got it.
    expect(starts).toEqual([
      { taskName: 't', backend: 'worker', callId: 1, reason: 'default-order' },
      { taskName: 't', backend: 'local', callId: 1, reason: 'fallback' },
    ]);
    expect(settles.map(({ backend, outcome }) => [backend, outcome])).toEqual([
      ['worker', 'rejected'],
      ['local', 'fulfilled'],
    ]);
    expect((settles[0]?.error as ComputeError).code).toBe('BACKEND_UNAVAILABLE');
    for (const event of settles) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports once, as rejected with the timeout, when the deadline ends a call the backend ignores', async () => {
    const settles: TaskSettledEvent[] = [];
    let finish: (value: string) => void = () => {};
    const compute = createHybridCompute(
      { local: recordingBackend('local', { late: () => new Promise<string>((resolve) => (finish = resolve)) }) },
      { onTaskSettled: (event) => settles.push(event) },
    );
    const error = await rejection(compute.runTask('late', 1, { timeout: 10 }));
    expect(settles).toHaveLength(1);
    expect(settles[0]).toMatchObject({ backend: 'local', outcome: 'rejected', error });
    finish('too late');
    await Promise.resolve();
    expect(settles).toHaveLength(1);
  });

  it('reports the attempt even when onTaskStart aborts the call before the backend listens', async () => {
    const settles: TaskSettledEvent[] = [];
    const controller = new AbortController();
    const compute = createHybridCompute(
      { local: recordingBackend('local', { hang }) },
      { onTaskStart: () => controller.abort(new Error('changed my mind')), onTaskSettled: (event) => settles.push(event) },
    );
    await expect(compute.runTask('hang', 1, { signal: controller.signal })).rejects.toMatchObject({ code: 'TASK_ABORTED' });
    expect(settles).toHaveLength(1);
    expect(settles[0]).toMatchObject({ outcome: 'rejected', error: { code: 'TASK_ABORTED' } });
  });

  it('calls no hook for a call no backend takes', async () => {
    const starts: TaskStartEvent[] = [];
    const compute = createHybridCompute({ local: recordingBackend('local', {}) }, { onTaskStart: (event) => starts.push(event) });
    await expect(compute.runTask('missing', 1)).rejects.toMatchObject({ code: 'NO_BACKEND' });
    expect(starts).toEqual([]);
  });

  it('never lets a throwing hook change the outcome of a call', async () => {
    const compute = createHybridCompute(
      { local: recordingBackend('local', { t: () => 'ok' }) },
      {
        onTaskStart: () => {
          throw new Error('start hook bug');
        },
        onTaskSettled: () => {
          throw new Error('settle hook bug');
        },
      },
    );
    await expect(compute.runTask('t', 1)).resolves.toBe('ok');
  });
});

describe('the router as a backend', () => {
  it('is a ComputeBackendInterface and nests inside another router', async () => {
    const inner = createHybridCompute({ local: recordingBackend('local', { t: (input) => `inner:${String(input)}` }) });
    const asBackend: ComputeBackendInterface = inner;
    expect(asBackend.canRun('t')).toBe(true);
    const outer = createHybridCompute({ edge: inner });
    await expect(outer.runTask('t', 'x')).resolves.toBe('inner:x');
  });

  it('passes the outer deadline to the inner router', async () => {
    const inner = createHybridCompute({ local: recordingBackend('local', { hang: () => new Promise(() => {}) }) });
    const outer = createHybridCompute({ inner });
    await expect(outer.runTask('hang', 1, { timeout: 20 })).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('is constructible with new and recognised by instanceof', async () => {
    const compute = new HybridCompute({ local: recordingBackend('local', { t: () => 1 }) });
    expect(compute).toBeInstanceOf(HybridCompute);
    expect(createHybridCompute({})).toBeInstanceOf(HybridCompute);
    await expect(compute.runTask('t', null)).resolves.toBe(1);
  });
});

describe('close', () => {
  it('closes every backend that can be closed', async () => {
    const local = recordingBackend('local', {});
    const remote = recordingBackend('remote', {});
    const plain = { canRun: () => false, runTask: async () => null };
    await createHybridCompute({ local, remote, plain }).close();
    expect([local.closed, remote.closed]).toEqual([true, true]);
  });

  it('closes the rest when one close() throws synchronously', async () => {
    const local = recordingBackend('local', {});
    const throwing = {
      canRun: () => false,
      runTask: async () => null,
      close: () => {
        throw new Error('close threw');
      },
    };
    const error = await rejection(createHybridCompute({ throwing, local }).close());
    expect(error).toBeInstanceOf(AggregateError);
    expect(local.closed).toBe(true);
  });

  it('rejects with an AggregateError when a backend fails to close, after closing the rest', async () => {
    const local = recordingBackend('local', {});
    const failing = {
      canRun: () => false,
      runTask: async () => null,
      close: async () => {
        throw new Error('socket stuck');
      },
    };
    const error = await rejection(createHybridCompute({ failing, local }).close());
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as unknown as AggregateError).errors[0]).toMatchObject({ message: 'socket stuck' });
    expect(local.closed).toBe(true);
  });
});

describe('one call, the same as on every backend', () => {
  it('takes { signal: null } as no signal', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { t: () => 'ok' }) });
    await expect(compute.runTask('t', 1, { signal: null })).resolves.toBe('ok');
  });

  it('times out at once with { timeout: 0 }, naming the task and the backend', async () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { hang }) });
    await expect(compute.runTask('hang', 1, { timeout: 0 })).rejects.toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'hang', backend: 'local' });
  });

  it('names the backend in TASK_ABORTED when the caller aborts', async () => {
    const compute = createHybridCompute({ worker: recordingBackend('worker', { hang }) });
    const controller = new AbortController();
    const call = compute.runTask('hang', 1, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TASK_ABORTED', taskName: 'hang', backend: 'worker' });
  });

  it('runs nothing once closed: new calls reject with BACKEND_UNAVAILABLE, canRun says no, close() twice is fine', async () => {
    const local = recordingBackend('local', { t: () => 'ok' });
    const compute = createHybridCompute({ local });
    const closing = compute.close();
    expect(compute.close()).toBe(closing);
    await closing;
    await expect(compute.runTask('t', 1)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 't' });
    await expect(compute.runTask('t', 1, 'local')).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(compute.canRun('t')).toBe(false);
    expect(local.calls).toEqual([]);
  });

  it('says under auto when no backend has the task at all, and lists the tasks that exist', async () => {
    const backend = (names: string[]) => ({ ...recordingBackend('x', {}), canRun: (name: string) => names.includes(name), taskNames: names });
    const compute = createHybridCompute({ local: backend(['double', 'greet']), worker: backend(['blur']) });
    expect([...(compute.taskNames ?? [])].sort()).toEqual(['blur', 'double', 'greet']);
    const error = await rejection(compute.runTask('dubble', 1));
    expect(error).toMatchObject({ code: 'NO_BACKEND' });
    expect(error.message).toContain("No backend available for task 'dubble' using strategy 'auto'");
    expect(error.message).toContain('no backend has a task of that name (tasks: blur, double, greet)');
  });

  it('cannot list tasks when a backend cannot list its own', () => {
    const compute = createHybridCompute({ local: recordingBackend('local', { t: () => 1 }) });
    expect(compute.taskNames).toBeUndefined();
  });

  it('names a backend that is still starting', async () => {
    const starting = { ...recordingBackend('worker', {}), canRun: () => false, starting: true };
    const compute = createHybridCompute({ worker: starting, local: recordingBackend('local', {}) });
    const error = await rejection(compute.runTask('blur', 1));
    expect(error.message).toContain('none of worker, local can run it (worker is still starting: await worker.ready())');
  });

  it('lists the tasks of nested routers', () => {
    const inner = createHybridCompute({ local: { ...recordingBackend('local', { a: () => 1 }), taskNames: ['a'] } });
    const outer = createHybridCompute({ inner, other: { ...recordingBackend('other', { b: () => 1 }), taskNames: ['b'] } });
    expect([...(outer.taskNames ?? [])].sort()).toEqual(['a', 'b']);
  });
});

describe('streamTask through the router', () => {
  it('rejects the first step, not the call, when the chosen backend cannot stream', async () => {
    const compute = createHybridCompute({ plain: recordingBackend('plain', { t: () => 1 }) });
    const stream = compute.streamTask('t', 1);
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'INVALID_REQUEST', backend: 'plain' });
  });

  it('rejects bad options and a closed router on the first step', async () => {
    const compute = createHybridCompute({ plain: recordingBackend('plain', { t: () => 1 }) });
    await expect(compute.streamTask('t', 1, { highWaterMark: -1 })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await compute.close();
    await expect(compute.streamTask('t', 1)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });

  it('hands the chosen backend the stream options', async () => {
    const seen: unknown[] = [];
    const streaming = {
      ...recordingBackend('s', { t: () => 1 }),
      streamTask: (_name: string, _input: unknown, options?: unknown) => {
        seen.push(options);
        return (async function* () {
          yield 'chunk';
        })();
      },
    };
    const compute = createHybridCompute({ streaming });
    const chunks: unknown[] = [];
    for await (const chunk of compute.streamTask('t', 1, { highWaterMark: 2, timeout: 1_000 })) chunks.push(chunk);
    expect(chunks).toEqual(['chunk']);
    expect(seen).toEqual([{ highWaterMark: 2, timeout: 1_000 }]);
  });
});

describe('progress through placement', () => {
  it("hands onProgress to the backend on every call 'auto' places, the fast paths included", async () => {
    const reporting = (name: string) => ({
      ...recordingBackend(name, {}),
      canRun: () => true,
      runTask: async (_taskName: string, _input: unknown, options?: RunTaskOptions) => {
        options?.onProgress?.(name);
        return name;
      },
    });
    const compute = createHybridCompute({ worker: reporting('worker'), local: reporting('local') });
    for (let call = 0; call < 200; call++) {
      const seen: unknown[] = [];
      const ran = await compute.runTask('t', call, { onProgress: (value) => seen.push(value) });
      expect(seen, `call ${call}`).toEqual([ran]);
    }
  });
});
