import { describe, expect, it } from 'vitest';
import { defineTask } from './define-task.js';
import { runTaskDefinition } from './run-task-definition.js';

describe('ctx.progress in this thread', () => {
  it('returns a promise that resolves, with or without a listener, and delivers each value at once', async () => {
    const seen: unknown[] = [];
    const returned: unknown[] = [];
    const task = defineTask('report', (count: number, { progress }) => {
      for (let value = 1; value <= count; value++) returned.push(progress(value));
      return 'done';
    });
    await expect(runTaskDefinition(task, 3, undefined, 'local', (value) => seen.push(value))).resolves.toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    await runTaskDefinition(task, 2, undefined, 'local');
    expect(returned).toHaveLength(5);
    for (const promise of returned) await expect(promise).resolves.toBeUndefined();
  });

  it('paces a task that awaits it by the promise its listener returns, which never rejects for the task', async () => {
    const releases: Array<() => void> = [];
    let reported = 0;
    const task = defineTask('paced', async (count: number, { progress }) => {
      for (let value = 1; value <= count; value++) {
        await progress(value);
        reported = value;
      }
      return reported;
    });
    const onProgress = (value: unknown): Promise<void> =>
      value === 3 ? Promise.reject(new Error('the listener failed')) : new Promise<void>((resolve) => releases.push(resolve));
    const call = runTaskDefinition(task, 3, undefined, 'local', onProgress);
    await Promise.resolve();
    expect(reported).toBe(0);
    releases.shift()?.();
    await expect.poll(() => releases.length).toBe(1);
    expect(reported).toBe(1);
    releases.shift()?.();
    await expect(call).resolves.toBe(3);
  });
});
