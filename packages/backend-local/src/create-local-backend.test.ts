import { ComputeError, defineTask, type TaskContext } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { createLocalBackend, LocalBackend } from './create-local-backend.js';

const double = defineTask('double', (n: number) => n * 2);
const square = defineTask('square', async (n: number) => n * n);

describe('createLocalBackend', () => {
  it('registers tasks from an array, a record and a module-like namespace with helpers', () => {
    expect(createLocalBackend({ tasks: [double, square] }).taskNames).toEqual(['double', 'square']);
    expect(createLocalBackend({ tasks: { double, square } }).taskNames).toEqual(['double', 'square']);
    const namespace = Object.freeze({ __proto__: null, double, helper: (n: number) => n, VERSION: 3, square });
    expect(createLocalBackend({ tasks: namespace }).taskNames).toEqual(['double', 'square']);
  });

  it('starts empty without options and takes tasks through registerTask', async () => {
    const local = createLocalBackend();
    expect(local).toBeInstanceOf(LocalBackend);
    expect(local.canRun('double')).toBe(false);
    expect(local.registerTask(double)).toBe(local);
    expect(local.canRun('double')).toBe(true);
    await expect(local.runTask('double', 4)).resolves.toBe(8);
  });

  it('refuses something that is not a task, and a second task with a taken name', () => {
    const local = createLocalBackend({ tasks: [double] });
    expect(() => local.registerTask({ name: 'x' } as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
    expect(() => local.registerTask(defineTask('double', (n: number) => n))).toThrow("two different tasks are named 'double'");
    expect(() => local.registerTask(double)).not.toThrow();
    expect(() => createLocalBackend({ tasks: [double, 'nope'] as never })).toThrow(/tasks\[1\] is not a task definition/);
  });

  it('rejects an unknown task without throwing synchronously, listing what it has', async () => {
    const local = createLocalBackend({ tasks: [double] });
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = local.runTask('triple', 1);
    }).not.toThrow();
    const error = await call?.catch((caught: unknown) => caught);
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TASK_NOT_FOUND', taskName: 'triple', backend: 'local' });
    expect((error as Error).message).toContain('(tasks: double)');
  });

  it('reports its configured name in errors', async () => {
    const local = createLocalBackend({ tasks: [double], name: 'main-thread' });
    await expect(local.runTask('nope', 1)).rejects.toMatchObject({ backend: 'main-thread' });
  });

  it('wraps a non-Error throw as TASK_FAILED with the thrown value as cause', async () => {
    const throwsString = defineTask('throwsString', (): never => {
      throw 'plain string';
    });
    const local = createLocalBackend({ tasks: [throwsString] });
    await expect(local.runTask('throwsString', undefined)).rejects.toMatchObject({
      code: 'TASK_FAILED',
      message: "Task 'throwsString' failed: plain string",
      cause: 'plain string',
    });
  });

  it('rejects with TASK_FAILED, never throws, when a task throws a value with no toString', async () => {
    const bare = Object.create(null) as object;
    const throwsBare = defineTask('throwsBare', (): never => {
      throw bare;
    });
    const local = createLocalBackend({ tasks: [throwsBare] });
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = local.runTask('throwsBare', undefined);
    }).not.toThrow();
    await expect(call).rejects.toMatchObject({ code: 'TASK_FAILED', message: "Task 'throwsBare' failed: [object Object]", cause: bare });
  });

  it("aborts the task's own signal when the call's signal aborts", async () => {
    let seen: TaskContext | undefined;
    const watcher = defineTask('watcher', (_: null, context: TaskContext) => {
      seen = context;
      return new Promise(() => {});
    });
    const local = createLocalBackend({ tasks: [watcher] });
    const controller = new AbortController();
    const call = local.runTask('watcher', null, { signal: controller.signal });
    expect(seen?.signal.aborted).toBe(false);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TASK_ABORTED' });
    expect(seen?.signal.aborted).toBe(true);
  });

  it('reports a task that stops by rethrowing its abort reason as timed out, not failed', async () => {
    const obedient = defineTask('obedient', (_: null, { signal }: TaskContext) => {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    });
    const local = createLocalBackend({ tasks: [obedient] });
    const call = local.runTask('obedient', null, { signal: AbortSignal.timeout(10) });
    await expect(call).rejects.toMatchObject({ code: 'TASK_TIMEOUT', backend: 'local' });
  });

  it('gives a task without a caller signal a signal that never aborts', async () => {
    const reads = defineTask('reads', (_: null, { signal }: TaskContext) => signal.aborted);
    await expect(createLocalBackend({ tasks: [reads] }).runTask('reads', null)).resolves.toBe(false);
  });

  it('accepts a task that returns a thenable that is not a Promise', async () => {
    const thenable = defineTask('thenable', (n: number) => ({ then: (resolve: (value: number) => void) => resolve(n + 1) }));
    await expect(createLocalBackend({ tasks: [thenable] }).runTask('thenable', 1)).resolves.toBe(2);
  });

  it('takes a null signal for none and rejects a signal that is not an AbortSignal with INVALID_REQUEST', async () => {
    const local = createLocalBackend({ tasks: [double] });
    await expect(local.runTask('double', 2, { signal: null as never })).resolves.toBe(4);
    for (const signal of [() => new AbortController().signal, {}, 'abort', 1]) {
      let call: Promise<unknown> | undefined;
      expect(() => {
        call = local.runTask('double', 2, { signal: signal as never });
      }).not.toThrow();
      await expect(call).rejects.toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
    }
  });
});
