import { describe, expect, it } from 'vitest';
import { defineTask } from './define-task.js';
import { noCallOptions } from './lifecycle/read-run-options.js';
import { streamTaskDefinition } from './stream-task-definition.js';

describe('streamTaskDefinition', () => {
  it('starts the task only on the first read, and runs it only as far as it is read', async () => {
    const produced: number[] = [];
    const task = defineTask('count', async function* () {
      for (let value = 1; value <= 10; value++) {
        produced.push(value);
        yield value;
      }
    });
    const stream = streamTaskDefinition(task, undefined, noCallOptions, 'local');
    expect(produced).toEqual([]);
    await expect(stream.next()).resolves.toEqual({ done: false, value: 1 });
    await expect(stream.next()).resolves.toEqual({ done: false, value: 2 });
    expect(produced).toEqual([1, 2]);
    await stream.return?.();
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('rejects at the timeout even while the task is stuck between chunks, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const task = defineTask('stuck', async function* (_input: void, context) {
      signal = context.signal;
      yield 1;
      await new Promise(() => {});
    });
    const stream = streamTaskDefinition(task, undefined, { signal: undefined, timeout: 30 }, 'local');
    await stream.next();
    await expect(stream.next()).rejects.toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'stuck', backend: 'local' });
    expect(signal?.aborted).toBe(true);
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('rejects every read made without awaiting at the timeout, while the task is stuck', async () => {
    const task = defineTask('stuck', async function* () {
      yield 1;
      await new Promise(() => {});
    });
    const stream = streamTaskDefinition(task, undefined, { signal: undefined, timeout: 30 }, 'local');
    // The first read's chunk comes first; the two behind it wait on the stuck task until the deadline.
    const steps = await Promise.allSettled([stream.next(), stream.next(), stream.next()]);
    expect(steps[0]).toEqual({ status: 'fulfilled', value: { done: false, value: 1 } });
    expect(steps.slice(1).map((step) => step.status === 'rejected' && (step.reason as { code?: string }).code)).toEqual(['TASK_TIMEOUT', 'TASK_TIMEOUT']);
    await expect(stream.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it('passes progress from a stream to onProgress', async () => {
    const seen: unknown[] = [];
    const task = defineTask('tiles', async function* (_input: void, { progress }) {
      progress('half');
      yield 'tile';
    });
    const stream = streamTaskDefinition(task, undefined, { signal: undefined, timeout: undefined, onProgress: (value) => seen.push(value) }, 'local');
    for await (const _tile of stream) {
      // read it all
    }
    expect(seen).toEqual(['half']);
  });

  it('refuses a task that does not stream, before running an async one', async () => {
    let ran = false;
    const asyncTask = defineTask('a', async () => {
      ran = true;
    });
    await expect(streamTaskDefinition(asyncTask, undefined, noCallOptions, 'local').next()).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(ran).toBe(false);
  });
});
