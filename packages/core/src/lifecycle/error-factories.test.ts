import { describe, expect, it } from 'vitest';
import { backendClosedError, backendUnavailableError } from './backend-unavailable-error.js';
import { taskNotFoundError } from './task-not-found-error.js';
import { taskTimeoutError } from './task-timeout-error.js';

describe('the common error factories', () => {
  it('taskNotFoundError lists the tasks there are, or none', () => {
    expect(taskNotFoundError('dubble', 'local', ['double', 'greet'])).toMatchObject({
      code: 'TASK_NOT_FOUND',
      taskName: 'dubble',
      backend: 'local',
      message: "Task 'dubble' is not available on backend 'local' (tasks: double, greet)",
    });
    expect(taskNotFoundError('x', 'local', []).message).toContain('(tasks: none)');
    expect(taskNotFoundError('x', 'remote').message).toBe("Task 'x' is not available on backend 'remote'");
  });

  it('taskTimeoutError says how long and where', () => {
    expect(taskTimeoutError('t', 'worker', 50)).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 't', backend: 'worker' });
  });

  it('backendUnavailableError and backendClosedError are BACKEND_UNAVAILABLE with the names', () => {
    const cause = new Error('socket hang up');
    expect(backendUnavailableError('remote', 'The server went away', { taskName: 't', cause })).toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      backend: 'remote',
      taskName: 't',
      cause,
    });
    expect(backendClosedError('worker', 't')).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: "The 'worker' backend is closed", taskName: 't' });
  });
});
