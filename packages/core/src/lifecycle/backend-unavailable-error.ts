import { ComputeError } from '../compute-error.js';

/**
 * The `BACKEND_UNAVAILABLE` error of a backend that cannot serve a call now
 * (a worker died, a server refused or is draining). The router falls back
 * from it under `'auto'`.
 *
 * @example
 * ```ts
 * reject(backendUnavailableError('remote', `Could not reach ${url}`, { taskName, cause: error }));
 * ```
 */
export function backendUnavailableError(
  backend: string | undefined,
  message: string,
  details: { taskName?: string | undefined; cause?: unknown } = {},
): ComputeError {
  return new ComputeError({
    code: 'BACKEND_UNAVAILABLE',
    message,
    taskName: details.taskName,
    backend,
    ...('cause' in details ? { cause: details.cause } : {}),
  });
}

/**
 * The `BACKEND_UNAVAILABLE` error every backend and the router reject a call
 * with once `close()` was called: the same words everywhere.
 *
 * @example
 * ```ts
 * if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
 * // "The 'worker' backend is closed"
 * ```
 */
export function backendClosedError(backend: string | undefined, taskName?: string): ComputeError {
  return backendUnavailableError(backend, `The '${backend ?? 'unnamed'}' backend is closed`, { taskName });
}
