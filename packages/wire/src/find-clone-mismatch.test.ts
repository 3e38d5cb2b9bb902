import { describe, expect, it } from 'vitest';
import { findCloneMismatch } from './find-clone-mismatch.js';

describe('findCloneMismatch', () => {
  it('takes leaves as they are, and finds a -0 among them', () => {
    expect(findCloneMismatch(1, 'input')).toEqual({ mismatch: undefined, negativeZero: false });
    expect(findCloneMismatch(-0, 'input')).toEqual({ mismatch: undefined, negativeZero: true });
    expect(findCloneMismatch(() => 1, 'input')).toEqual({ mismatch: 'input: a function cannot be sent', negativeZero: false });
    expect(findCloneMismatch(Symbol('s'), 'result').mismatch).toBe('result: a symbol cannot be sent');
  });

  it('names where a refused value sits: properties, indices, Map keys and values, Set entries', () => {
    expect(findCloneMismatch({ a: [0, { b: () => 1 }] }, 'input').mismatch).toBe('input.a[1].b: a function cannot be sent');
    expect(findCloneMismatch(new Map([[Symbol('k'), 1]]), 'input').mismatch).toBe('input.<key>: a symbol cannot be sent');
    expect(findCloneMismatch({ m: new Map([['x', [() => 1]]]) }, 'input').mismatch).toBe('input.m.get("x")[0]: a function cannot be sent');
    expect(findCloneMismatch(new Map([[7, () => 1]]), 'input').mismatch).toBe('input.get(7): a function cannot be sent');
    expect(findCloneMismatch({ s: new Set([1, () => 1]) }, 'result').mismatch).toBe('result.s.<entry>: a function cannot be sent');
  });

  it('reports the first refusal, and a path left behind does not leak into the next one', () => {
    const value = { ok: { deep: [1, 2, { fine: 'yes' }] }, bad: () => 1, later: Symbol('s') };
    expect(findCloneMismatch(value, 'input').mismatch).toBe('input.bad: a function cannot be sent');
  });

  it('finds a -0 deep inside, walks shared references and cycles once, and leaves typed arrays alone', () => {
    const shared = { n: -0 };
    const cyclic: Record<string, unknown> = { shared, again: shared, bytes: new Float64Array([-0]) };
    cyclic['self'] = cyclic;
    expect(findCloneMismatch(cyclic, 'input')).toEqual({ mismatch: undefined, negativeZero: true });
    expect(findCloneMismatch({ bytes: new Float64Array([-0]), when: new Date(0) }, 'input').negativeZero).toBe(false);
  });
});
