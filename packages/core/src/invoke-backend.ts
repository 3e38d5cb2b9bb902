import type { ComputeBackendLike, RunTaskOptions } from './types.js';

/**
 * `backend.runTask(...)` as a promise whatever the backend does: a
 * synchronous throw becomes a rejection, a thenable or plain value a promise.
 *
 * @internal Used by the router; not part of the public API.
 */
export function invokeBackend(
  backend: ComputeBackendLike,
  taskName: string,
  input: unknown,
  options: RunTaskOptions | undefined,
): Promise<unknown> {
  let result: unknown;
  try {
    result = backend.runTask(taskName, input, options);
  } catch (error) {
    // Outside the contract, but the caller still gets a rejection, as if the backend had been async.
    return Promise.reject(error);
  }
  if (result instanceof Promise) return result;
  // A backend outside this project may return a thenable or even a plain value.
  return Promise.resolve(result);
}
