import { ComputeError } from '../compute-error.js';

/**
 * The `TASK_TIMEOUT` error of a call whose `timeout` passed, worded the same
 * on every backend.
 *
 * @example
 * ```ts
 * taskTimeoutError('render', 'worker', 500).message; // "Task 'render' timed out after 500 ms on backend 'worker'"
 * ```
 */
export function taskTimeoutError(taskName: string, backend: string | undefined, timeout: number): ComputeError {
  const where = backend === undefined ? '' : ` on backend '${backend}'`;
  return new ComputeError({ code: 'TASK_TIMEOUT', message: `Task '${taskName}' timed out after ${timeout} ms${where}`, taskName, backend });
}
