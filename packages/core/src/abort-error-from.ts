import { ComputeError } from './compute-error.js';

/**
 * The `ComputeError` a call rejects with when its signal aborts: the reason
 * itself when it already is a `TASK_TIMEOUT` or `TASK_ABORTED` error (the
 * router aborts with those), `TASK_TIMEOUT` for a `TimeoutError` (as from
 * `AbortSignal.timeout()`), and `TASK_ABORTED` with the reason as `cause`
 * otherwise.
 *
 * @example
 * ```ts
 * if (signal.aborted) return Promise.reject(abortErrorFrom(signal.reason, taskName, 'my-backend'));
 * ```
 */
export function abortErrorFrom(reason: unknown, taskName?: string, backend?: string): ComputeError {
  if (ComputeError.isInstance(reason) && (reason.code === 'TASK_TIMEOUT' || reason.code === 'TASK_ABORTED')) {
    return reason;
  }
  const isTimeout = typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
  const what = taskName === undefined ? 'The call' : `Task '${taskName}'`;
  return new ComputeError({
    code: isTimeout ? 'TASK_TIMEOUT' : 'TASK_ABORTED',
    message: isTimeout ? `${what} timed out` : `${what} was aborted`,
    taskName,
    backend,
    cause: reason,
  });
}
