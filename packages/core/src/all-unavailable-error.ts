import { ComputeError } from './compute-error.js';

/**
 * The error of an `'auto'` call that every backend tried turned away
 * (`BACKEND_UNAVAILABLE`, or `QUEUE_FULL` under placement): one message
 * naming each, the last one as cause. All `QUEUE_FULL` keeps that code.
 *
 * @internal Used by the router; not part of the public API.
 */
export function allUnavailableError(taskName: string, failures: readonly ComputeError[]): ComputeError {
  const described = failures.map((failure) => `${failure.backend ?? 'a backend'}: ${failure.message}`).join('; ');
  return new ComputeError({
    code: failures.every((failure) => failure.code === 'QUEUE_FULL') ? 'QUEUE_FULL' : 'BACKEND_UNAVAILABLE',
    message: `No backend could run task '${taskName}' using strategy 'auto': ${described}`,
    taskName,
    cause: failures[failures.length - 1],
  });
}
