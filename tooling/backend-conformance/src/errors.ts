import { ComputeError } from '@hybridcompute/core';
import { expect, it } from 'vitest';
import { computeRejectionOf as rejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

export function describeErrors({ backend, options }: SuiteContext): void {
  const unknownTaskCode = options.unknownTaskCode ?? 'TASK_NOT_FOUND';

  it(`rejects an unknown task with ${unknownTaskCode}, naming the task`, async () => {
    const error = await rejectionOf(backend().runTask('no-such-task', 1));
    expect(error.code).toBe(unknownTaskCode);
    expect(error.message).toContain('no-such-task');
  });

  it('rejects a task that throws with TASK_FAILED and keeps its error as cause', async () => {
    const error = await rejectionOf(backend().runTask('fail', { message: 'disk on fire', code: 'E_DISK' }));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.taskName).toBe('fail');
    expect(error.message).toContain('disk on fire');
    const cause = error.cause as { name?: string; message?: string; code?: string };
    expect(cause.name).toBe('RangeError');
    expect(cause.message).toBe('disk on fire');
    expect(cause.code).toBe('E_DISK');
  });

  it('rejects a task whose promise rejects with TASK_FAILED and keeps its code', async () => {
    const error = await rejectionOf(backend().runTask('asyncFail', { message: 'quota exceeded', code: 'E_QUOTA' }));
    expect(error.code).toBe('TASK_FAILED');
    expect((error.cause as { code?: string }).code).toBe('E_QUOTA');
  });

  it('rejects bad input the task refuses with TASK_FAILED', async () => {
    const error = await rejectionOf(backend().runTask('double', 'twenty-one'));
    expect(error.code).toBe('TASK_FAILED');
    expect(error.message).toContain('double expects a number');
  });

  it('survives a failure: the next call succeeds', async () => {
    await rejectionOf(backend().runTask('fail', { message: 'once', code: 'E_ONCE' }));
    await expect(backend().runTask('double', 4)).resolves.toBe(8);
  });

  it('round-trips its errors through toJSON and fromJSON', async () => {
    const error = await rejectionOf(backend().runTask('fail', { message: 'serialise me', code: 'E_SER' }));
    const copy = ComputeError.fromJSON(JSON.parse(JSON.stringify(error)));
    expect(copy.code).toBe('TASK_FAILED');
    expect(copy.message).toBe(error.message);
    expect((copy.cause as { code?: string }).code).toBe('E_SER');
  });
}
