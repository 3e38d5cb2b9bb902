import type { ComputeBackendLike } from '../types.js';
import { LatencyWindow } from './latency-window.js';
import { RunTimeEstimate } from './run-time-estimate.js';

/**
 * What the router follows of one backend, over all tasks.
 *
 * @internal Used by the router; not part of the public API.
 */
export class PlacedBackend {
  calls = 0;
  /** The router's own calls not settled yet (not followed for `local`). */
  inFlight = 0;
  failures = 0;
  /** After `BACKEND_UNAVAILABLE`, 'auto' leaves it out until the router's call counter reaches this. */
  skipUntilCall = 0;
  backoffCalls = 0;
  readonly hasLoad: boolean;

  constructor(
    readonly name: string,
    readonly backend: ComputeBackendLike,
    /** Runs in the caller's thread: the backend named `local`. */
    readonly inPlace: boolean,
  ) {
    this.hasLoad = typeof backend.load === 'function';
  }
}

/**
 * What the router follows and has learned of one task on one backend.
 *
 * @internal Used by the router; not part of the public API.
 */
export class PlacedPair {
  calls = 0;
  inFlight = 0;
  failures = 0;
  readonly estimate = new RunTimeEstimate();
  readonly latencies = new LatencyWindow();
}

/**
 * One task's placement state: its pairs by backend index.
 *
 * @internal Used by the router; not part of the public API.
 */
export class PlacedTask {
  /** Calls routed under 'auto' (decides which are timed and when to explore). */
  calls = 0;
  /** While 'auto' keeps choosing `local` for this task: its index in the order, else -1. */
  sticky = -1;
  stickyBackend: PlacedBackend | undefined = undefined;
  stickyPair: PlacedPair | undefined = undefined;
  /** Calls whose number has none of these bits set are timed while sticky. */
  stickyMask = 7;
  readonly pairs: PlacedPair[];

  constructor(backendCount: number) {
    this.pairs = Array.from({ length: backendCount }, () => new PlacedPair());
  }
}
