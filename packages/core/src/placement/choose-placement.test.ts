import { describe, expect, it } from 'vitest';
import { choosePlacement, type PlacementCandidate, type PlacementChoice } from './choose-placement.js';

const policy = { localBudgetMs: 1, reprobeAfterMs: 1_000, exploreSamples: 3 };

function candidate(overrides: Partial<PlacementCandidate> = {}): PlacementCandidate {
  const samples = overrides.runTimeMs === undefined ? 0 : 3;
  return { eligible: true, runTimeMs: Number.NaN, lastSampleAt: 0, samples, ahead: 0, capacity: 2, probing: false, inPlace: false, busy: 0, ...overrides };
}

const local = (overrides: Partial<PlacementCandidate> = {}) =>
  candidate({ inPlace: true, capacity: Number.POSITIVE_INFINITY, ...overrides });

function choose(candidates: PlacementCandidate[], { explore = true, now = Number.NaN } = {}): PlacementChoice {
  const choice: PlacementChoice = { index: -2, reason: 'ordered' };
  choosePlacement(candidates, policy, explore, now, choice);
  return choice;
}

describe('choosePlacement', () => {
  it('follows the order while nothing is learned, passing over a backend at capacity', () => {
    expect(choose([candidate(), candidate()])).toEqual({ index: 0, reason: 'default-order' });
    expect(choose([candidate({ ahead: 2 }), candidate()])).toEqual({ index: 1, reason: 'default-order' });
    expect(choose([candidate({ ahead: 2 }), candidate({ ahead: 5 })])).toEqual({ index: 0, reason: 'default-order' });
    expect(choose([candidate({ eligible: false }), candidate({ ahead: 5 })])).toEqual({ index: 1, reason: 'default-order' });
  });

  it('says -1 when no backend is eligible', () => {
    expect(choose([candidate({ eligible: false })]).index).toBe(-1);
    expect(choose([]).index).toBe(-1);
  });

  it('picks the least expected finish: wait for a slot plus run time', () => {
    expect(choose([candidate({ runTimeMs: 10 }), candidate({ runTimeMs: 4 })])).toEqual({ index: 1, reason: 'learned' });
    // The faster one has four calls ahead in two slots: 4 * (1 + 3/2) = 10 > 8.
    expect(choose([candidate({ runTimeMs: 8 }), candidate({ runTimeMs: 4, ahead: 4 })])).toEqual({ index: 0, reason: 'spill-over' });
  });

  it('probes a backend never sampled, once, only when asked to explore and it has a free slot', () => {
    const known = candidate({ runTimeMs: 5 });
    expect(choose([known, candidate()])).toEqual({ index: 1, reason: 'exploring' });
    expect(choose([known, candidate()], { explore: false })).toEqual({ index: 0, reason: 'learned' });
    expect(choose([known, candidate({ probing: true })])).toEqual({ index: 0, reason: 'learned' });
    expect(choose([known, candidate({ ahead: 2 })])).toEqual({ index: 0, reason: 'learned' });
  });

  it('keeps probing a backend, one call at a time, until it has three samples', () => {
    const known = candidate({ runTimeMs: 5 });
    expect(choose([known, candidate({ runTimeMs: 50, samples: 2 })])).toEqual({ index: 1, reason: 'exploring' });
    expect(choose([known, candidate({ runTimeMs: 50, samples: 2, probing: true })])).toEqual({ index: 0, reason: 'learned' });
    expect(choose([known, candidate({ runTimeMs: 50, samples: 3 })])).toEqual({ index: 0, reason: 'learned' });
  });

  it('probes local only for a task that runs under the budget elsewhere', () => {
    expect(choose([candidate({ runTimeMs: 0.05 }), local()])).toEqual({ index: 1, reason: 'exploring' });
    expect(choose([candidate({ runTimeMs: 5 }), local()])).toEqual({ index: 0, reason: 'learned' });
  });

  it('keeps a task at or over the budget off local while another backend can take it', () => {
    expect(choose([candidate({ runTimeMs: 8, ahead: 50 }), local({ runTimeMs: 1 })])).toEqual({ index: 0, reason: 'learned' });
    expect(choose([local({ runTimeMs: 0.5 }), candidate({ runTimeMs: 0.6 })])).toEqual({ index: 0, reason: 'learned' });
    // Alone with a busy probe elsewhere, the order decides but stays off the thread.
    expect(choose([local({ runTimeMs: 3 }), candidate({ probing: true, ahead: 9 })])).toEqual({ index: 1, reason: 'default-order' });
    expect(choose([local({ runTimeMs: 3 }), candidate({ eligible: false })])).toEqual({ index: 0, reason: 'default-order' });
  });

  it('never makes local wait: the thread is free whenever a call is placed', () => {
    expect(choose([candidate({ runTimeMs: 0.3 }), local({ runTimeMs: 0.2, ahead: 0 })])).toEqual({ index: 1, reason: 'learned' });
  });

  it('moves work off a thread kept busy by local runs', () => {
    const worker = candidate({ runTimeMs: 0.5 });
    expect(choose([worker, local({ runTimeMs: 0.3, busy: 0.2 })])).toEqual({ index: 1, reason: 'learned' });
    // 0.3 / (1 - 0.5) = 0.6 > 0.5: the worker finishes sooner.
    expect(choose([worker, local({ runTimeMs: 0.3, busy: 0.5 })])).toEqual({ index: 0, reason: 'spill-over' });
    expect(choose([candidate({ runTimeMs: 0.02 }), local({ runTimeMs: 0.0001, busy: 1 })])).toEqual({ index: 1, reason: 'learned' });
  });

  it('on a timed call, re-probes a free backend not sampled for a while', () => {
    const fresh = candidate({ runTimeMs: 2, lastSampleAt: 9_990 });
    const stale = candidate({ runTimeMs: 9, lastSampleAt: 9_500 });
    expect(choose([fresh, stale], { now: 10_000 })).toEqual({ index: 1, reason: 'exploring' });
    expect(choose([fresh, stale], { now: Number.NaN })).toEqual({ index: 0, reason: 'learned' });
    expect(choose([fresh, { ...stale, probing: true }], { now: 10_000 })).toEqual({ index: 0, reason: 'learned' });
    expect(choose([fresh, { ...stale, ahead: 2 }], { now: 10_000 })).toEqual({ index: 0, reason: 'learned' });
  });

  it('re-probes after 50 run times of the stale backend, between 10 ms and a second', () => {
    const fresh = candidate({ runTimeMs: 0.001, lastSampleAt: 10_000 });
    // 9 ms: 50 runs would be 450 ms.
    expect(choose([fresh, candidate({ runTimeMs: 9, lastSampleAt: 9_600 })], { now: 10_000 }).reason).toBe('learned');
    expect(choose([fresh, candidate({ runTimeMs: 9, lastSampleAt: 9_540 })], { now: 10_000 }).reason).toBe('exploring');
    // 0.02 ms: at least 10 ms.
    expect(choose([fresh, candidate({ runTimeMs: 0.02, lastSampleAt: 9_995 })], { now: 10_000 }).reason).toBe('learned');
    expect(choose([fresh, candidate({ runTimeMs: 0.02, lastSampleAt: 9_989 })], { now: 10_000 }).reason).toBe('exploring');
    // 100 ms: at most a second.
    expect(choose([fresh, candidate({ runTimeMs: 100, lastSampleAt: 8_999 })], { now: 10_000 }).reason).toBe('exploring');
  });
});

describe('choosePlacement with nothing learned and local in the order', () => {
  it('spills over onto local only when local comes first', () => {
    expect(choose([candidate({ ahead: 2 }), local(), candidate()])).toEqual({ index: 2, reason: 'default-order' });
    expect(choose([candidate({ ahead: 2 }), local()])).toEqual({ index: 0, reason: 'default-order' });
    expect(choose([local(), candidate()])).toEqual({ index: 0, reason: 'default-order' });
  });
});
