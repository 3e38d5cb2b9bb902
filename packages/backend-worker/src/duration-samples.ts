import type { DurationPercentiles } from './worker-backend-stats.js';

/**
 * The run and wait times of the most recent calls, in a fixed ring (no
 * allocation per call), read as percentiles by `stats()`. Internal.
 */
export class DurationSamples {
  readonly #runTimes: Float64Array;
  readonly #waitTimes: Float64Array;
  #count = 0;

  constructor(capacity = 1024) {
    this.#runTimes = new Float64Array(capacity);
    this.#waitTimes = new Float64Array(capacity);
  }

  /** Records one call: milliseconds on a worker and in the queue before it. */
  record(runTime: number, waitTime: number): void {
    const slot = this.#count++ % this.#runTimes.length;
    this.#runTimes[slot] = runTime;
    this.#waitTimes[slot] = waitTime;
  }

  get runTime(): DurationPercentiles {
    return percentilesOf(this.#runTimes, this.#count);
  }

  get waitTime(): DurationPercentiles {
    return percentilesOf(this.#waitTimes, this.#count);
  }
}

/** Percentiles of the first `count` samples (all of them once the ring is full); all 0 with none. */
export function percentilesOf(samples: Float64Array, count: number): DurationPercentiles {
  const length = Math.min(count, samples.length);
  if (length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  // A typed array sorts numerically.
  const sorted = samples.slice(0, length).sort();
  const at = (fraction: number): number => sorted[Math.min(length - 1, Math.floor(fraction * length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[length - 1]! };
}
