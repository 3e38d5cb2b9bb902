import { invalidArgumentError } from '../invalid-argument-error.js';

/**
 * Tuning of a {@link RunTimeEstimate}. Every field has a default; see
 * docs/architecture.md ("Placement") for why each has the value it has.
 *
 * @example
 * ```ts
 * const options: RunTimeEstimateOptions = { riseWeight: 0.5, fallWeight: 0.2, decayMs: 1_000 };
 * const estimate = new RunTimeEstimate(options);
 * ```
 */
export interface RunTimeEstimateOptions {
  /** Weight of a sample above the estimate, at least. Default 0.5: slowing down is believed at once. */
  riseWeight?: number | undefined;
  /** Weight of a sample below the estimate, at least. Default 0.2: speeding up is believed over a few samples. */
  fallWeight?: number | undefined;
  /**
   * Time constant of the decay: a sample that comes `decayMs` after the
   * previous one weighs at least 1 - 1/e (63 %), so an old estimate gives way
   * to a fresh sample however few calls there are. Default 1000.
   */
  decayMs?: number | undefined;
}

const defaultRiseWeight = 0.5;
const defaultFallWeight = 0.2;
const defaultDecayMs = 1_000;

/**
 * A learned run time: a peak-sensitive, time-decayed moving average of
 * samples (milliseconds) that a median of the last three keeps from jumping
 * at a single outlier. Pure: it depends only on the samples and the times
 * given with them, never on a clock of its own, so it is deterministic to
 * test and the remote backend can reuse it per endpoint.
 *
 * - A sample is first filtered: the median of it and the two before it. A
 *   lone outlier (a GC pause, a cold cache) never reaches the average; a real
 *   change does on its second sample.
 * - The filtered value moves the average by `riseWeight` when it is higher
 *   and by `fallWeight` when lower (the idea of Finagle's peak EWMA: be
 *   pessimistic quickly, optimistic slowly, so traffic does not herd back).
 * - The longer since the previous sample, the more the new one weighs
 *   (`1 - exp(-gap / decayMs)`), so a backend not heard from for a while is
 *   judged on what it does now.
 *
 * @example
 * ```ts
 * const estimate = new RunTimeEstimate();
 * estimate.observe(10, 0);   // first sample: 10 ms at t = 0
 * estimate.observe(10, 5);
 * estimate.observe(500, 10); // a lone outlier: the median keeps it out
 * estimate.valueMs;          // 10
 * estimate.samples;          // 3
 * ```
 */
export class RunTimeEstimate {
  /** The current estimate in milliseconds; `NaN` before the first sample. */
  valueMs = Number.NaN;
  /** How many samples it has seen. */
  samples = 0;
  /** The time given with the latest sample; `NaN` before the first. */
  lastSampleAt = Number.NaN;
  readonly #riseWeight: number;
  readonly #fallWeight: number;
  readonly #decayMs: number;
  #previous = Number.NaN;
  #beforePrevious = Number.NaN;

  constructor(options: RunTimeEstimateOptions = {}) {
    this.#riseWeight = weightOption('riseWeight', options.riseWeight, defaultRiseWeight);
    this.#fallWeight = weightOption('fallWeight', options.fallWeight, defaultFallWeight);
    const decayMs = options.decayMs ?? defaultDecayMs;
    if (typeof decayMs !== 'number' || !(decayMs > 0)) {
      throw invalidArgumentError(`RunTimeEstimate: decayMs must be a positive number, got ${String(decayMs)}`);
    }
    this.#decayMs = decayMs;
  }

  /**
   * Takes one sample.
   *
   * @param sampleMs - how long the call took, in milliseconds. Negative or
   *   non-finite samples are ignored (a clock that went backwards).
   * @param at - when it was taken, on the same clock as earlier samples.
   */
  observe(sampleMs: number, at: number): void {
    if (!(sampleMs >= 0) || sampleMs === Number.POSITIVE_INFINITY) return;
    const filtered = this.samples < 2 ? sampleMs : medianOfThree(sampleMs, this.#previous, this.#beforePrevious);
    this.#beforePrevious = this.#previous;
    this.#previous = sampleMs;
    if (this.samples === 0) {
      this.valueMs = filtered;
    } else {
      const gap = at - this.lastSampleAt;
      const byAge = gap > 0 ? 1 - Math.exp(-gap / this.#decayMs) : 0;
      const floor = filtered > this.valueMs ? this.#riseWeight : this.#fallWeight;
      const weight = byAge > floor ? byAge : floor;
      this.valueMs += (filtered - this.valueMs) * weight;
    }
    this.samples++;
    this.lastSampleAt = at;
  }
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a > b) return b > c ? b : a > c ? c : a;
  return a > c ? a : b > c ? c : b;
}

function weightOption(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw invalidArgumentError(`RunTimeEstimate: ${name} must be a number in (0, 1], got ${String(value)}`);
  }
  return value;
}
