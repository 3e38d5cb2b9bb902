import { describe, expect, it } from 'vitest';
import { RunTimeEstimate } from './run-time-estimate.js';

function fed(samples: readonly number[], gapMs = 1): RunTimeEstimate {
  const estimate = new RunTimeEstimate();
  samples.forEach((sample, index) => estimate.observe(sample, index * gapMs));
  return estimate;
}

describe('RunTimeEstimate', () => {
  it('knows nothing before a sample, then takes the first as it is', () => {
    const estimate = new RunTimeEstimate();
    expect(estimate.valueMs).toBeNaN();
    expect(estimate.samples).toBe(0);
    estimate.observe(12, 100);
    expect(estimate.valueMs).toBe(12);
    expect(estimate.samples).toBe(1);
    expect(estimate.lastSampleAt).toBe(100);
  });

  it('keeps a lone outlier out, wherever it falls', () => {
    expect(fed([10, 10, 500, 10, 10]).valueMs).toBeCloseTo(10);
    expect(fed([10, 10, 0.01, 10]).valueMs).toBeCloseTo(10);
  });

  it('believes a slowdown within a few samples', () => {
    const estimate = fed([10, 10, 10, 30, 30, 30]);
    // The median lets the change in on its second sample; each rise then closes half the gap.
    expect(estimate.valueMs).toBeGreaterThanOrEqual(25);
    expect(estimate.valueMs).toBeLessThan(30);
  });

  it('believes a speed-up more slowly than a slowdown', () => {
    const slower = fed([10, 10, 10, 30, 30, 30]).valueMs - 10;
    const faster = 30 - fed([30, 30, 30, 10, 10, 10]).valueMs;
    expect(faster).toBeLessThan(slower);
    expect(faster).toBeGreaterThan(5);
  });

  it('lets a sample taken long after the last outweigh the old estimate', () => {
    const quick = fed([10, 10, 10, 2, 2], 1).valueMs;
    const late = fed([10, 10, 10, 2, 2], 5_000).valueMs;
    expect(late).toBeLessThan(quick);
    expect(late).toBeLessThan(2.1);
  });

  it('ignores samples that cannot be durations', () => {
    const estimate = fed([5]);
    estimate.observe(-1, 2);
    estimate.observe(Number.NaN, 3);
    estimate.observe(Number.POSITIVE_INFINITY, 4);
    expect(estimate.valueMs).toBe(5);
    expect(estimate.samples).toBe(1);
  });

  it('rejects bad tuning with INVALID_REQUEST', () => {
    expect(() => new RunTimeEstimate({ riseWeight: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => new RunTimeEstimate({ fallWeight: 1.5 })).toThrow(/fallWeight/);
    expect(() => new RunTimeEstimate({ decayMs: -1 })).toThrow(/decayMs/);
    expect(new RunTimeEstimate({ riseWeight: 1, fallWeight: 1, decayMs: 10 })).toBeInstanceOf(RunTimeEstimate);
  });

  it('with full weights follows the median of the last three exactly', () => {
    const estimate = new RunTimeEstimate({ riseWeight: 1, fallWeight: 1 });
    [4, 8, 6, 100].forEach((sample, index) => estimate.observe(sample, index));
    expect(estimate.valueMs).toBe(8);
  });
});
