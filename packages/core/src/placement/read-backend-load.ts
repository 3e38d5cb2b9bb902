import type { BackendLoad, ComputeBackendLike } from '../types.js';

/**
 * A backend's `load()` when it gives sound figures, else `undefined`: a
 * `load()` that throws or reports nonsense (negative, `NaN`, no capacity)
 * leaves the router to its own count, as for a backend without one.
 *
 * @internal Used by the router; not part of the public API.
 */
export function readBackendLoad(backend: ComputeBackendLike): BackendLoad | undefined {
  let load: BackendLoad | undefined;
  try {
    load = backend.load?.();
  } catch {
    return undefined;
  }
  if (typeof load !== 'object' || load === null) return undefined;
  const { inFlight, capacity, queued, parallelism } = load;
  if (!(inFlight >= 0) || !(capacity > 0) || (queued !== undefined && !(queued >= 0)) || (parallelism !== undefined && !(parallelism > 0))) return undefined;
  return load;
}
