import { describe, expect, it } from 'vitest';
import { DurationSamples, percentilesOf } from './duration-samples.js';

describe('percentilesOf', () => {
  it('is all 0 before the first sample', () => {
    expect(percentilesOf(new Float64Array(8), 0)).toEqual({ p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('reads the percentiles of 1..100 in numeric order, not string order', () => {
    const samples = Float64Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentilesOf(samples, 100)).toEqual({ p50: 51, p90: 91, p99: 100, max: 100 });
  });

  it('reads only the samples recorded so far', () => {
    const samples = new Float64Array(16);
    samples.set([3, 1, 2]);
    expect(percentilesOf(samples, 3)).toEqual({ p50: 2, p90: 3, p99: 3, max: 3 });
  });
});

describe('DurationSamples', () => {
  it('keeps run and wait times apart', () => {
    const samples = new DurationSamples(4);
    samples.record(10, 1);
    samples.record(20, 2);
    expect(samples.runTime.max).toBe(20);
    expect(samples.waitTime.max).toBe(2);
  });

  it('keeps only the most recent samples once the ring is full', () => {
    const samples = new DurationSamples(4);
    for (const runTime of [1000, 1, 2, 3, 4]) samples.record(runTime, 0);
    expect(samples.runTime).toEqual({ p50: 3, p90: 4, p99: 4, max: 4 });
  });
});
