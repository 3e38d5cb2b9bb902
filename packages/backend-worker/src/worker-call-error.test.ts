import { backendUnavailableError, ComputeError, taskFailedError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { unavailableFor, workerCallError } from './worker-call-error.js';

describe('workerCallError', () => {
  it("keeps a task's TASK_FAILED from the worker as it is (the call's table names the backend)", () => {
    const fromWorker = taskFailedError('resize', undefined, new RangeError('too big'));
    const error = workerCallError('resize', 'worker', fromWorker, ['resize']);
    expect(error).toBe(fromWorker);
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it("rewords the worker's TASK_NOT_FOUND as every backend's, naming the backend and listing its tasks", () => {
    const fromWorker = new ComputeError({ code: 'TASK_NOT_FOUND', message: 'not here', taskName: 'dubble' });
    const error = workerCallError('dubble', 'pool', fromWorker, ['double', 'echo']);
    expect([error.code, error.taskName, error.backend]).toEqual(['TASK_NOT_FOUND', 'dubble', 'pool']);
    expect(error.message).toBe("Task 'dubble' is not available on backend 'pool' (tasks: double, echo)");
  });

  it('turns an input postMessage could not clone into INVALID_REQUEST', () => {
    const thrown = new DOMException('function could not be cloned', 'DataCloneError');
    const error = workerCallError('echo', 'worker', thrown, undefined);
    expect([error.code, error.taskName, error.backend, error.cause]).toEqual(['INVALID_REQUEST', 'echo', 'worker', thrown]);
    expect(error.message).toContain('cannot be sent to a worker');
  });

  it('turns a result the worker could not clone into TASK_FAILED that says so', () => {
    const error = workerCallError('make', 'worker', new TypeError('Unserializable return value'), undefined);
    expect(error.code).toBe('TASK_FAILED');
    expect(error.message).toContain('not structured-cloneable');
  });

  it('turns anything else into TASK_FAILED with the value as cause', () => {
    const error = workerCallError('make', 'worker', 'a plain string', undefined);
    expect([error.code, error.taskName, error.backend, error.cause]).toEqual(['TASK_FAILED', 'make', 'worker', 'a plain string']);
  });
});

describe('unavailableFor', () => {
  it("names the call's task and keeps the shared error's backend, message and cause, leaving the shared error as it was", () => {
    const cause = new Error('the worker file is broken');
    const shared = backendUnavailableError('worker', 'The worker backend could not start its workers', { cause });
    const error = unavailableFor(shared, 'double');
    expect([error.code, error.taskName, error.backend, error.message, error.cause]).toEqual(['BACKEND_UNAVAILABLE', 'double', 'worker', shared.message, cause]);
    expect(shared.taskName).toBeUndefined();
    expect('cause' in unavailableFor(backendUnavailableError('worker', 'closed'), 'echo')).toBe(false);
  });
});
