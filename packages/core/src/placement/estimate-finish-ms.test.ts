import { describe, expect, it } from 'vitest';
import { estimateFinishMs } from './estimate-finish-ms.js';

describe('estimateFinishMs', () => {
  it('is the run time while a slot is free', () => {
    expect(estimateFinishMs(10, 0, 1)).toBe(10);
    expect(estimateFinishMs(10, 3, 4)).toBe(10);
  });

  it('adds the wait for a slot, in runs per slot, once every slot is taken', () => {
    expect(estimateFinishMs(10, 1, 1)).toBe(20);
    expect(estimateFinishMs(10, 4, 4)).toBe(12.5);
    expect(estimateFinishMs(10, 3, 1)).toBe(40);
  });

  it('never waits where capacity is unbounded', () => {
    expect(estimateFinishMs(0.2, 1_000, Number.POSITIVE_INFINITY)).toBe(0.2);
  });
});
