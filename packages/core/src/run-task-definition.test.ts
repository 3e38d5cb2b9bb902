import { describe, expect, it } from 'vitest';
import { defineTask } from './define-task.js';
import { runTaskDefinition } from './run-task-definition.js';

describe('runTaskDefinition', () => {
  it('makes the signal from a function only when the task reads it', async () => {
    let made = 0;
    const controller = new AbortController();
    const make = (): AbortSignal => {
      made++;
      return controller.signal;
    };
    await expect(runTaskDefinition(defineTask('blind', (n: number) => n + 1), 1, make, 'test')).resolves.toBe(2);
    expect(made).toBe(0);
    const reads = defineTask('reads', (_: null, { signal }) => signal === controller.signal && signal === controller.signal);
    await expect(runTaskDefinition(reads, null, make, 'test')).resolves.toBe(true);
    expect(made).toBe(1);
  });

  it('wraps a throw as TASK_FAILED and settles at an abort with a real signal', async () => {
    const throws = defineTask('throws', (): never => {
      throw new Error('nope');
    });
    await expect(runTaskDefinition(throws, undefined, undefined, 'test')).rejects.toMatchObject({ code: 'TASK_FAILED', backend: 'test', message: "Task 'throws' failed: nope" });
    const never = defineTask('never', () => new Promise(() => {}));
    await expect(runTaskDefinition(never, undefined, AbortSignal.timeout(10), 'test')).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('takes a null signal for none, and rejects rather than throws', async () => {
    const reads = defineTask('reads', (_: null, { signal }) => signal.aborted);
    let call: Promise<unknown> | undefined;
    expect(() => {
      call = runTaskDefinition(reads, null, null, 'test');
    }).not.toThrow();
    await expect(call).resolves.toBe(false);
    const throws = defineTask('throws', (): never => {
      throw new Error('nope');
    });
    await expect(runTaskDefinition(throws, undefined, null, 'test')).rejects.toMatchObject({ code: 'TASK_FAILED' });
  });
});
