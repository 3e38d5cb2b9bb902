import { ComputeError } from './compute-error.js';
import { withCallNames } from './lifecycle/compute-error-from.js';
import { messageOf } from './message-of.js';

/**
 * The `TASK_FAILED` error for a task that threw or rejected, with the thrown
 * value as `cause`. A `ComputeError` with code `INVALID_REQUEST` (a task
 * schema refusing the input) passes through as it is, so the caller sees
 * `INVALID_REQUEST` and its `issues`. Every runner (in-process, a worker, a server) makes it
 * here, so the message reads the same whichever backend ran the task.
 *
 * @param backend - the name the error reports as its `backend`; `undefined`
 *   where it is not known yet (inside a worker, whose pool fills it in).
 *
 * @example
 * ```ts
 * try {
 *   return await task.run(input, context);
 * } catch (error) {
 *   throw taskFailedError(task.name, 'my-backend', error); // "Task 'resize' failed: <the error's message>"
 * }
 * ```
 */
export function taskFailedError(taskName: string, backend: string | undefined, cause: unknown): ComputeError {
  // A task's schema (or the task itself) refusing its input is the caller's mistake, not a failure of the task.
  if (ComputeError.isInstance(cause) && cause.code === 'INVALID_REQUEST') return withCallNames(cause, taskName, backend);
  return new ComputeError({ code: 'TASK_FAILED', message: `Task '${taskName}' failed: ${messageOf(cause)}`, taskName, backend, cause });
}
