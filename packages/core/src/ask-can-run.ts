import type { ComputeBackendLike } from './types.js';

/**
 * `backend.canRun(taskName)`, where a throw means no: a backend that cannot
 * answer cannot be trusted with the call.
 *
 * @internal Used by the router; not part of the public API.
 */
export function askCanRun(backend: ComputeBackendLike, taskName: string): boolean {
  try {
    return backend.canRun(taskName) === true;
  } catch {
    return false;
  }
}
