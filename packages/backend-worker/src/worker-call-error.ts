import { backendUnavailableError, ComputeError, messageOf, taskFailedError, taskNotFoundError } from '@hybridcompute/core';

/**
 * The error a call rejects with when its worker answered with `thrown` (or
 * posting the call failed). Errors the worker made (`TASK_FAILED`,
 * `TASK_NOT_FOUND`) do not know the pool's name; the call's table fills it
 * in. Internal.
 *
 * @param knownTasks - the workers' task names, listed in a `TASK_NOT_FOUND`.
 */
export function workerCallError(taskName: string, backend: string, thrown: unknown, knownTasks: Iterable<string> | undefined): ComputeError {
  if (ComputeError.isInstance(thrown)) {
    // The worker's own words name no backend: say it again, as every backend does.
    return thrown.code === 'TASK_NOT_FOUND' ? taskNotFoundError(taskName, backend, knownTasks) : thrown;
  }
  if ((thrown as { name?: unknown } | null)?.name === 'DataCloneError') {
    // postMessage refused the input: nothing was sent.
    return new ComputeError({
      code: 'INVALID_REQUEST',
      message: `Task '${taskName}': its input cannot be sent to a worker (${messageOf(thrown)})`,
      taskName,
      backend,
      cause: thrown,
    });
  }
  if (thrown instanceof TypeError && thrown.message === 'Unserializable return value') {
    // What the worker answers for a result that cannot be cloned (comlink's words, or ours for a batch).
    return new ComputeError({
      code: 'TASK_FAILED',
      message: `Task '${taskName}' failed: its result cannot be sent back from the worker (it is not structured-cloneable)`,
      taskName,
      backend,
      cause: thrown,
    });
  }
  return taskFailedError(taskName, backend, thrown);
}

/**
 * The pool's own `BACKEND_UNAVAILABLE` (a worker died, the worker file does
 * not start) again for one call, naming that call's task: one such error is
 * shared by every call it fails, so it is not filled in place. Internal.
 */
export function unavailableFor(reason: ComputeError, taskName: string): ComputeError {
  return backendUnavailableError(reason.backend, reason.message, { taskName, ...(reason.cause === undefined ? {} : { cause: reason.cause }) });
}
