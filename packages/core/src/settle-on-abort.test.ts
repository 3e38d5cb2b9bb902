import { describe, expect, it } from 'vitest';
import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { settleOnAbort } from './settle-on-abort.js';

describe('settleOnAbort', () => {
  it('settles with the work when the signal never aborts', async () => {
    const controller = new AbortController();
    await expect(settleOnAbort(Promise.resolve('done'), controller.signal)).resolves.toBe('done');
    await expect(settleOnAbort(Promise.reject(new Error('work failed')), controller.signal)).rejects.toThrow('work failed');
  });

  it('rejects as soon as the signal aborts, and swallows the late rejection of the work', async () => {
    const controller = new AbortController();
    let failLater: (error: Error) => void = () => {};
    const work = new Promise((_resolve, reject) => {
      failLater = reject;
    });
    const call = settleOnAbort(work, controller.signal, 'slow', 'local');
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'TASK_ABORTED', taskName: 'slow', backend: 'local' });
    // vitest fails the run on an unhandled rejection, so this proves it is handled.
    failLater(new Error('too late'));
    await expect(work).rejects.toThrow('too late');
  });

  it('rejects at once for a signal that is already aborted', async () => {
    const work = Promise.reject(new Error('ignored'));
    await expect(settleOnAbort(work, AbortSignal.abort(), 't')).rejects.toMatchObject({ code: 'TASK_ABORTED' });
  });
});

describe('abortErrorFrom', () => {
  it('keeps a TASK_TIMEOUT or TASK_ABORTED reason as it is', () => {
    const timeout = new ComputeError({ code: 'TASK_TIMEOUT', message: 'late' });
    expect(abortErrorFrom(timeout, 't')).toBe(timeout);
  });

  it('maps a TimeoutError to TASK_TIMEOUT and anything else to TASK_ABORTED, keeping it as cause', () => {
    const timeoutReason = new DOMException('signal timed out', 'TimeoutError');
    expect(abortErrorFrom(timeoutReason, 'hash')).toMatchObject({ code: 'TASK_TIMEOUT', message: "Task 'hash' timed out", cause: timeoutReason });
    const other = new ComputeError({ code: 'TASK_FAILED' });
    expect(abortErrorFrom(other)).toMatchObject({ code: 'TASK_ABORTED', message: 'The call was aborted', cause: other });
    expect(abortErrorFrom('plain reason', 'x', 'local')).toMatchObject({ code: 'TASK_ABORTED', backend: 'local', cause: 'plain reason' });
  });
});
