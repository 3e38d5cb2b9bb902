import { estimateFinishMs, RunTimeEstimate } from '@hybridcompute/core';
import type { RemoteLoad } from './remote-endpoint.js';

/** What was ahead of a call when it was sent to an endpoint, to correct its sample. */
export interface SentCall {
  readonly startedAt: number;
  readonly ahead: number;
  readonly capacity: number;
  /** The endpoint had answered before: the call did not wait for its connection to open. */
  readonly warm: boolean;
}

// An endpoint not heard from for this long, with nothing in flight there, gets the next call: it may have recovered.
const reprobeAfterMs = 1_000;
// A first answer may carry a cold start (a socket opening, the server's JIT): an endpoint with fewer
// samples than this for a task is also taken to be as fast as the fastest known, so it keeps being tried.
const trustAfterSamples = 3;
// Far below any run time: it only orders endpoints whose expected finish is the same.
const tieBreakMs = 1e-6;

/**
 * How soon each endpoint should finish a call sent to it now, learned per
 * task from the calls it answered: core's `RunTimeEstimate` of the run time
 * there, and `estimateFinishMs` of the wait behind the calls in flight and
 * queued on it against the limit its server advertises. The remote backend
 * sends each call where this is least, so a slow endpoint loses traffic
 * instead of holding the others back.
 *
 * - An endpoint with no sample for the task (or fewer than 3: a first one
 *   may be a cold start) is taken to be as fast as the fastest one known, so
 *   it is tried as soon as it has room. Calls sent before its first answer
 *   of all are not learned from: they waited for its connection to open.
 * - An endpoint idle for a second since its last sample gets the next call,
 *   so one that was slow and recovered is seen again.
 * - Without a task name (a call that is not a task's), every endpoint is
 *   taken to run it in the same time: the choice is by room alone.
 */
export class EndpointFinishEstimates {
  readonly #loads: readonly { readonly load: RemoteLoad }[];
  readonly #byTask = new Map<string, RunTimeEstimate[]>();
  readonly #now: () => number;
  readonly #answered: boolean[] = [];

  constructor(endpoints: readonly { readonly load: RemoteLoad }[], now: () => number = () => performance.now()) {
    this.#loads = endpoints;
    this.#now = now;
  }

  /** The expected finish, in ms from now, of a call of `taskName` sent to endpoint `index`. */
  finishMs(index: number, taskName: string | undefined): number {
    const { inFlight, capacity, queued = 0 } = (this.#loads[index] as { load: RemoteLoad }).load;
    const ahead = inFlight + queued;
    const estimates = taskName === undefined ? undefined : this.#byTask.get(taskName);
    const estimate = estimates?.[index];
    let runTimeMs = 1;
    if (estimates !== undefined && estimate !== undefined) {
      if (estimate.samples === 0) runTimeMs = fastestOf(estimates) ?? 1;
      else if (ahead === 0 && this.#now() - estimate.lastSampleAt > reprobeAfterMs) return 0;
      else if (estimate.samples < trustAfterSamples) runTimeMs = fastestOf(estimates) ?? estimate.valueMs;
      else runTimeMs = estimate.valueMs;
    }
    return estimateFinishMs(runTimeMs, ahead, capacity);
  }

  /**
   * How good endpoint `index` is for the next call: the sooner its expected
   * finish, the higher. Between endpoints expected to finish as soon (both
   * free, nothing learned), the one with the most room relative to its limit.
   */
  score(index: number, taskName: string | undefined): number {
    const { inFlight, capacity, queued = 0 } = (this.#loads[index] as { load: RemoteLoad }).load;
    return -this.finishMs(index, taskName) - ((inFlight + queued + 1) / capacity) * tieBreakMs;
  }

  /** What is ahead of a call being sent to endpoint `index` now. */
  sent(index: number): SentCall {
    const { inFlight, capacity, queued = 0 } = (this.#loads[index] as { load: RemoteLoad }).load;
    return { startedAt: this.#now(), ahead: inFlight + queued, capacity, warm: this.#answered[index] === true };
  }

  /**
   * Learns from a call endpoint `index` answered: its latency, less the
   * expected wait behind the calls that were ahead. Calls sent before the
   * endpoint's first answer are left out: they waited for its connection to open.
   */
  learn(index: number, taskName: string, sent: SentCall): void {
    this.#answered[index] = true;
    if (!sent.warm) return;
    let estimates = this.#byTask.get(taskName);
    if (estimates === undefined) {
      estimates = this.#loads.map(() => new RunTimeEstimate());
      this.#byTask.set(taskName, estimates);
    }
    const at = this.#now();
    let sample = at - sent.startedAt;
    const waiting = sent.ahead + 1 - sent.capacity;
    if (waiting > 0) sample /= 1 + waiting / sent.capacity;
    (estimates[index] as RunTimeEstimate).observe(sample, at);
  }
}

function fastestOf(estimates: readonly RunTimeEstimate[]): number | undefined {
  let fastest: number | undefined;
  for (const estimate of estimates) {
    if (estimate.samples > 0 && (fastest === undefined || estimate.valueMs < fastest)) fastest = estimate.valueMs;
  }
  return fastest;
}
