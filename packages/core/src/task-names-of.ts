import type { ComputeBackendLike } from './types.js';

/**
 * A backend's `taskNames` when it lists them, else `undefined` (also when reading them throws).
 *
 * @internal Used by the router; not part of the public API.
 */
export function taskNamesOf(backend: ComputeBackendLike): readonly string[] | undefined {
  try {
    const names: unknown = backend.taskNames;
    return Array.isArray(names) ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}
