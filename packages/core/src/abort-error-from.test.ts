import { describe, expect, it } from 'vitest';
import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';

describe('abortErrorFrom', () => {
  it('passes on a TASK_TIMEOUT or TASK_ABORTED reason as it is', () => {
    const reason = new ComputeError({ code: 'TASK_TIMEOUT', taskName: 't', backend: 'router' });
    expect(abortErrorFrom(reason, 'other', 'local')).toBe(reason);
  });

  it('reads a TimeoutError as TASK_TIMEOUT and anything else as TASK_ABORTED, with the reason as cause', () => {
    const timeout = abortErrorFrom(new DOMException('late', 'TimeoutError'), 'resize', 'worker');
    expect(timeout).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'resize', backend: 'worker', message: "Task 'resize' timed out" });
    const aborted = abortErrorFrom('user left', undefined, 'remote');
    expect(aborted).toMatchObject({ code: 'TASK_ABORTED', backend: 'remote', message: 'The call was aborted', cause: 'user left' });
  });
});
