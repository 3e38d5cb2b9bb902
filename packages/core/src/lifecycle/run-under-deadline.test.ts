import { describe, expect, it } from 'vitest';
import { noCallOptions } from './read-run-options.js';
import { runUnderDeadline } from './run-under-deadline.js';

describe('runUnderDeadline', () => {
  it('runs the work with no signal when the call has no deadline', async () => {
    let seen: AbortSignal | undefined | 'unset' = 'unset';
    await expect(runUnderDeadline('t', 'local', noCallOptions, (signal) => ((seen = signal), 7))).resolves.toBe(7);
    expect(seen).toBeUndefined();
  });

  it('settles at the timeout even when the work ignores its signal, and aborts that signal', async () => {
    let signal: AbortSignal | undefined;
    const call = runUnderDeadline('t', 'local', { signal: undefined, timeout: 5 }, (given) => {
      signal = given;
      return new Promise(() => {});
    });
    await expect(call).rejects.toMatchObject({ code: 'TASK_TIMEOUT', taskName: 't', backend: 'local' });
    expect(signal?.aborted).toBe(true);
  });

  it('turns a work that throws into a rejection', async () => {
    const work = (): never => {
      throw new Error('sync');
    };
    await expect(runUnderDeadline('t', 'local', noCallOptions, work)).rejects.toThrow('sync');
    await expect(runUnderDeadline('t', 'local', { signal: undefined, timeout: 100 }, work)).rejects.toThrow('sync');
  });

  it('never starts the work when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    let ran = false;
    const call = runUnderDeadline('t', 'local', { signal: controller.signal, timeout: undefined }, () => (ran = true));
    await expect(call).rejects.toMatchObject({ code: 'TASK_ABORTED' });
    expect(ran).toBe(false);
  });
});
