import { describe, expect, it } from 'vitest';
import { ComputeError } from './compute-error.js';
import { taskFailedError } from './task-failed-error.js';

describe('taskFailedError', () => {
  it("makes TASK_FAILED with the thrown value as cause and its message in the error's", () => {
    const cause = new RangeError('n must be positive');
    const error = taskFailedError('resize', 'gpu', cause);
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TASK_FAILED', taskName: 'resize', backend: 'gpu', message: "Task 'resize' failed: n must be positive" });
    expect(error.cause).toBe(cause);
    expect(taskFailedError('resize', undefined, Object.create(null)).message).toBe("Task 'resize' failed: [object Object]");
    expect(taskFailedError('resize', undefined, 'plain').backend).toBeUndefined();
  });
});
