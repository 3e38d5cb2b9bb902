import type { HybridComputeOptions } from '../hybrid-compute-types.js';
import { invalidArgumentError } from '../invalid-argument-error.js';
import { eventLoopUtilizationMeter } from './thread-busy-share.js';

// A call under a millisecond shows in the event loop's delay no more than the timer's own granularity.
const defaultLocalBudgetMs = 1;

/**
 * The router's placement options, checked, with their defaults.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a placement other than
 * `'fastest'` or `'ordered'`, a negative or non-number `localBudgetMs`, or a
 * `now` that is not a function.
 * @internal Used by the router; not part of the public API.
 */
export function readPlacementOptions(options: HybridComputeOptions): {
  ordered: boolean;
  localBudgetMs: number;
  now: () => number;
  /** The event loop's utilization, on platforms that say, unless the clock is injected (then placement is a function of it alone). */
  utilization: (() => number) | undefined;
} {
  const { placement = 'fastest', localBudgetMs = defaultLocalBudgetMs, now } = options;
  if (placement !== 'fastest' && placement !== 'ordered') {
    throw invalidArgumentError(`createHybridCompute: placement must be 'fastest' or 'ordered', got ${String(placement)}`);
  }
  if (typeof localBudgetMs !== 'number' || !(localBudgetMs >= 0)) {
    throw invalidArgumentError(`createHybridCompute: localBudgetMs must be a number of milliseconds, 0 or more, got ${String(localBudgetMs)}`);
  }
  if (now !== undefined && typeof now !== 'function') {
    throw invalidArgumentError(`createHybridCompute: now must be a function returning milliseconds, got ${typeof now}`);
  }
  return {
    ordered: placement === 'ordered',
    localBudgetMs,
    now: now ?? (() => performance.now()),
    utilization: now === undefined && placement !== 'ordered' ? eventLoopUtilizationMeter() : undefined,
  };
}
