import { describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { computeErrorFrom, withCallNames } from './compute-error-from.js';

describe('computeErrorFrom', () => {
  it('keeps a ComputeError, filling in the names it lacks', () => {
    const original = new ComputeError({ code: 'QUEUE_FULL', taskName: 'inner' });
    const error = computeErrorFrom(original, 'BACKEND_UNAVAILABLE', { taskName: 'outer', backend: 'remote' });
    expect(error).toBe(original);
    expect(error).toMatchObject({ code: 'QUEUE_FULL', taskName: 'inner', backend: 'remote' });
  });

  it('wraps anything else in the given code, with the value as cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = computeErrorFrom(cause, 'BACKEND_UNAVAILABLE', { taskName: 't', backend: 'remote', message: 'Could not reach the server' });
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 't', backend: 'remote', cause });
    expect(error.message).toBe('Could not reach the server: connect ECONNREFUSED');
  });

  it('never throws, whatever was thrown', () => {
    const error = computeErrorFrom(Object.create(null), 'TASK_FAILED', { taskName: 't' });
    expect(error.code).toBe('TASK_FAILED');
    expect(error.message).toContain("Task 't' failed");
  });
});

describe('withCallNames', () => {
  it('leaves names already set and survives a frozen error', () => {
    const frozen = Object.freeze(new ComputeError({ code: 'TASK_FAILED' }));
    expect(withCallNames(frozen, 't', 'b')).toBe(frozen);
    const named = withCallNames(new ComputeError({ code: 'TASK_FAILED', taskName: 'a', backend: 'x' }), 't', 'b');
    expect(named).toMatchObject({ taskName: 'a', backend: 'x' });
  });
});
