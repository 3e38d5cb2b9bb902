import type { PlacedBackend } from './placement-records.js';
import { readBackendLoad } from './read-backend-load.js';

/**
 * Fills in how many calls are ahead of a new one on a backend, and how many
 * it runs at once, from its `load()` or, without one, the router's own count
 * against one slot.
 *
 * @internal Used by the router; not part of the public API.
 */
export function fillLoad(candidate: { ahead: number; capacity: number }, placed: PlacedBackend): void {
  if (placed.inPlace) {
    // The thread is free whenever a call is placed: a local run never waits behind another.
    candidate.ahead = 0;
    candidate.capacity = Number.POSITIVE_INFINITY;
    return;
  }
  const load = placed.hasLoad ? readBackendLoad(placed.backend) : undefined;
  if (load === undefined) {
    // No capacity known: one slot, as Finagle's peak EWMA assumes, so it gets calls when the others are busier.
    candidate.ahead = placed.inFlight;
    candidate.capacity = 1;
    return;
  }
  // The router's own calls there are running or queued: either count may be the larger.
  candidate.ahead = Math.max(placed.inFlight, load.inFlight + (load.queued ?? 0));
  // Calls admitted beyond what runs at once wait there all the same: the wait is modelled on what runs.
  const parallelism = load.parallelism;
  candidate.capacity = parallelism !== undefined && parallelism < load.capacity ? parallelism : load.capacity;
}
