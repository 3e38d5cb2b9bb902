import type { PlacementReason } from './placement-types.js';
import { estimateFinishMs } from './estimate-finish-ms.js';

/**
 * One backend as placement sees it for one call. The router fills these in
 * place (one per backend in its order) so that choosing allocates nothing.
 *
 * @internal Used by the router; not part of the public API.
 */
export interface PlacementCandidate {
  /** It can run the task, was not tried for this call, and is not backed off. */
  eligible: boolean;
  /** Learned run time of the task here in ms; `NaN` when never sampled. */
  runTimeMs: number;
  /** When the latest sample was taken. */
  lastSampleAt: number;
  /** How many samples the run time is learned from. */
  samples: number;
  /** Calls running or queued here now. */
  ahead: number;
  /** Calls it runs at once; `Infinity` for the calling thread (nothing waits there). */
  capacity: number;
  /** A call of this task is already in flight here: no second probe. */
  probing: boolean;
  /** The backend runs in the caller's thread (`local`): `localBudgetMs` applies. */
  inPlace: boolean;
  /**
   * For `local`: the share of recent time the caller's thread spent running
   * local calls (0 to 1). A busy thread is a queue too: the run is expected
   * to take `runTimeMs / (1 - busy)`, so work spills off a saturated thread.
   */
  busy: number;
}

/**
 * The knobs of {@link choosePlacement}.
 *
 * @internal Used by the router; not part of the public API.
 */
export interface PlacementPolicy {
  localBudgetMs: number;
  /** A backend with no sample for this long is probed again (on a timed call). */
  reprobeAfterMs: number;
  /** A backend is probed (one call at a time) until it has this many samples: one could be a cold start. */
  exploreSamples: number;
}

/**
 * Where a call goes: `index` into the candidates (-1: none eligible) and why.
 *
 * @internal Used by the router; not part of the public API.
 */
export interface PlacementChoice {
  index: number;
  reason: PlacementReason;
}

/**
 * Chooses the backend expected to finish a call soonest. Pure: a function of
 * the candidates, the policy and `now`.
 *
 * 1. Nothing learned for the task on any eligible backend: the first in the
 *    order with a free slot, else the first (`'default-order'`). `local`
 *    takes no spill-over then: a run of unknown length would block the thread.
 * 2. When `explore` is set, an eligible backend with fewer than
 *    `exploreSamples` samples for the task (a first one may be a cold start),
 *    a free slot and no probe in flight gets this call (`'exploring'`).
 *    `local` is probed only when the task runs under the budget elsewhere,
 *    since a probe there blocks the caller's thread for the whole run.
 * 3. Otherwise the least estimated finish (wait for a slot + run time) among
 *    the sampled ones, leaving out `local` at or over its budget (and
 *    stretching its run time by how busy the thread has been):
 *    `'learned'` if it is also the fastest, else `'spill-over'`.
 * 4. On a timed call (`now` not `NaN`), a free backend other than the chosen
 *    one and not sampled for a while gets this call instead (`'exploring'`):
 *    50 times its estimated run time, at least 10 ms and at most
 *    `reprobeAfterMs`, so a probe costs at most about 2 % of the time.
 *
 * @internal Used by the router; not part of the public API.
 */
export function choosePlacement(
  candidates: readonly PlacementCandidate[],
  policy: PlacementPolicy,
  explore: boolean,
  now: number,
  choice: PlacementChoice,
): void {
  const count = candidates.length;
  let firstEligible = -1;
  let firstFree = -1;
  let fastestElsewhere = Number.POSITIVE_INFINITY;
  let learned = false;
  for (let index = 0; index < count; index++) {
    const candidate = candidates[index] as PlacementCandidate;
    if (!candidate.eligible) continue;
    if (firstEligible === -1) firstEligible = index;
    // Spilling over onto the caller's thread with a run time not known yet could block it for long.
    if (firstFree === -1 && candidate.ahead < candidate.capacity && (!candidate.inPlace || firstEligible === index)) firstFree = index;
    if (candidate.runTimeMs === candidate.runTimeMs) {
      learned = true;
      if (!candidate.inPlace && candidate.runTimeMs < fastestElsewhere) fastestElsewhere = candidate.runTimeMs;
    }
  }
  if (!learned) {
    choice.index = firstFree !== -1 ? firstFree : firstEligible;
    choice.reason = 'default-order';
    return;
  }
  const budget = policy.localBudgetMs;
  const mayProbeLocal = fastestElsewhere < budget;
  let best = -1;
  let bestFinish = Number.POSITIVE_INFINITY;
  let fastest = -1;
  let fastestRun = Number.POSITIVE_INFINITY;
  for (let index = 0; index < count; index++) {
    const candidate = candidates[index] as PlacementCandidate;
    if (!candidate.eligible) continue;
    const runTimeMs = candidate.runTimeMs;
    if (
      candidate.samples < policy.exploreSamples &&
      explore &&
      !candidate.probing &&
      candidate.ahead < candidate.capacity &&
      (!candidate.inPlace || mayProbeLocal)
    ) {
      choice.index = index;
      choice.reason = 'exploring';
      return;
    }
    if (runTimeMs !== runTimeMs) continue;
    if (candidate.inPlace && runTimeMs >= budget) continue;
    const finish = candidate.inPlace
      ? runTimeMs / (candidate.busy < maxBusy ? 1 - candidate.busy : 1 - maxBusy)
      : estimateFinishMs(runTimeMs, candidate.ahead, candidate.capacity);
    if (finish < bestFinish) {
      bestFinish = finish;
      best = index;
    }
    if (runTimeMs < fastestRun) {
      fastestRun = runTimeMs;
      fastest = index;
    }
  }
  if (best === -1) {
    // Only local over its budget, or backends being probed: the order decides, keeping off the thread if it can.
    choice.index = firstOffThread(candidates, budget, firstEligible);
    choice.reason = 'default-order';
    return;
  }
  if (now === now) {
    for (let index = 0; index < count; index++) {
      const candidate = candidates[index] as PlacementCandidate;
      if (
        index !== best &&
        candidate.eligible &&
        !candidate.probing &&
        candidate.runTimeMs === candidate.runTimeMs &&
        now - candidate.lastSampleAt > reprobeInterval(candidate.runTimeMs, policy.reprobeAfterMs) &&
        candidate.ahead < candidate.capacity &&
        (!candidate.inPlace || mayProbeLocal)
      ) {
        choice.index = index;
        choice.reason = 'exploring';
        return;
      }
    }
  }
  choice.index = best;
  choice.reason = best === fastest ? 'learned' : 'spill-over';
}

function firstOffThread(candidates: readonly PlacementCandidate[], budget: number, firstEligible: number): number {
  let firstBusy = -1;
  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index] as PlacementCandidate;
    if (!candidate.eligible || (candidate.inPlace && candidate.runTimeMs >= budget)) continue;
    if (candidate.ahead < candidate.capacity) return index;
    if (firstBusy === -1) firstBusy = index;
  }
  return firstBusy !== -1 ? firstBusy : firstEligible;
}

const maxBusy = 0.95;
const reprobeRuns = 50;
const minReprobeMs = 10;

function reprobeInterval(runTimeMs: number, maxMs: number): number {
  const interval = runTimeMs * reprobeRuns;
  return interval < minReprobeMs ? minReprobeMs : interval > maxMs ? maxMs : interval;
}
