import type { PlacementReason } from './placement-types.js';
import type { CallDeadline } from '../lifecycle/call-deadline.js';
import type { ComputeBackendLike } from '../types.js';

/**
 * How the router hands one attempt to a backend (hooks and deadline included).
 *
 * @internal Used by the router; not part of the public API.
 */
export type AttemptCall = (
  backend: ComputeBackendLike,
  backendName: string,
  taskName: string,
  input: unknown,
  deadline: CallDeadline | undefined,
  callId: number,
  reason: PlacementReason,
) => Promise<unknown>;
