import { describe, expect, it } from 'vitest';
import { isTimerDelay, maxTimerDelay } from './is-timer-delay.js';

describe('isTimerDelay', () => {
  it('takes milliseconds from above 0 up to the longest delay setTimeout honours', () => {
    expect(maxTimerDelay).toBe(2_147_483_647);
    expect([1, 0.5, 30_000, maxTimerDelay].map(isTimerDelay)).toEqual([true, true, true, true]);
  });

  it('refuses zero, negatives, NaN, Infinity, delays setTimeout would run at once, and non-numbers', () => {
    expect([0, -1, Number.NaN, Number.POSITIVE_INFINITY, maxTimerDelay + 1, '1000', null, undefined].map(isTimerDelay)).toEqual(
      Array(8).fill(false),
    );
  });
});
