import { describe, expect, it } from 'vitest';
import { eventLoopUtilizationMeter, ThreadBusyShare } from './thread-busy-share.js';

describe('ThreadBusyShare', () => {
  it('without a platform measure, is the share of time spent in local runs', () => {
    const share = new ThreadBusyShare(undefined);
    share.measure(0, 0);
    // 500 ms later, 400 of them in local runs: the share moves almost all the way to 0.8.
    share.measure(500, 400);
    expect(share.value).toBeCloseTo(0.8 * (1 - Math.exp(-5)), 5);
  });

  it("takes the event loop's utilization where the platform gives it, counting work outside local runs", () => {
    const readings = [0.9];
    const share = new ThreadBusyShare(() => readings.shift() ?? 0);
    share.measure(0, 0);
    // No time in local runs at all, yet the loop was 90 % busy (the caller's work, a local task's later turns).
    share.measure(1_000, 0);
    expect(share.value).toBeCloseTo(0.9, 3);
  });

  it('reads the platform measure at most every 5 ms', () => {
    let readings = 0;
    const share = new ThreadBusyShare(() => {
      readings++;
      return 0.5;
    });
    share.measure(0, 0);
    for (let now = 1; now < 5; now++) share.measure(now, 0);
    expect(readings).toBe(0);
    share.measure(5, 0);
    expect(readings).toBe(1);
  });

  it('falls back to local runs when the measure answers nonsense, and never goes over 1', () => {
    const share = new ThreadBusyShare(() => -1);
    share.measure(0, 0);
    share.measure(1_000, 5_000);
    expect(share.value).toBeCloseTo(1, 3);
  });
});

describe('eventLoopUtilizationMeter', () => {
  it('reads a share between 0 and 1 in Node', async () => {
    const meter = eventLoopUtilizationMeter();
    expect(meter).toBeTypeOf('function');
    const spinUntil = performance.now() + 20;
    while (performance.now() < spinUntil);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const share = meter!();
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
