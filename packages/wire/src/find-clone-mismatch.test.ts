import { describe, expect, it } from 'vitest';
import { findCloneMismatch, findCloneRefusal, holdsNegativeZero } from './find-clone-mismatch.js';

describe('findCloneRefusal', () => {
  it('passes primitives, typed arrays, dates and plain data', () => {
    for (const value of [1, -0, NaN, 'text', true, null, undefined, 10n, new Float64Array(4), new Date(0), /x/g, { a: [1, { b: new Map([[1, new Set([2])]]) }] }]) {
      expect(findCloneRefusal(value, 'input')).toBeUndefined();
    }
  });

  it('names the path to the first function or symbol, in arrays, objects, Map keys and values, and Sets', () => {
    expect(findCloneRefusal(() => 1, 'input')).toBe('input: a function cannot be sent');
    expect(findCloneRefusal({ callbacks: { onDone: () => 1, onFail: Symbol('later') } }, 'input')).toBe('input.callbacks.onDone: a function cannot be sent');
    expect(findCloneRefusal([1, [2, Symbol('s')]], 'result')).toBe('result[1][1]: a symbol cannot be sent');
    expect(findCloneRefusal(new Map([['size', () => 1]]), 'input')).toBe('input.get("size"): a function cannot be sent');
    expect(findCloneRefusal(new Map([[7, { f: () => 1 }]]), 'input')).toBe('input.get(7).f: a function cannot be sent');
    expect(findCloneRefusal(new Map([[Symbol('k'), 1]]), 'input')).toBe('input.<key>: a symbol cannot be sent');
    expect(findCloneRefusal(new Set([1, () => 1]), 'input')).toBe('input.<entry>: a function cannot be sent');
  });

  it('walks shared references and cycles once, and still finds what lies past them', () => {
    const shared = { n: 1 };
    const cycle: Record<string, unknown> = { shared, again: shared };
    cycle['self'] = cycle;
    expect(findCloneRefusal(cycle, 'input')).toBeUndefined();
    cycle['last'] = [() => 1];
    expect(findCloneRefusal(cycle, 'input')).toBe('input.last[0]: a function cannot be sent');
  });

  it('finds a refusal among many objects (past the short list of walked objects)', () => {
    const many = Array.from({ length: 100 }, (_, index) => ({ index }));
    many.push(many[3] as { index: number });
    expect(findCloneRefusal(many, 'input')).toBeUndefined();
    (many[60] as Record<string, unknown>)['f'] = () => 1;
    expect(findCloneRefusal(many, 'input')).toBe('input[60].f: a function cannot be sent');
  });
});

describe('holdsNegativeZero', () => {
  it('finds -0 at the top, in arrays, objects, Map values and inside Map keys and Sets, and nowhere else', () => {
    expect(holdsNegativeZero(-0)).toBe(true);
    // A Map key or a Set entry of -0 is stored as 0 (SameValueZero): there is none to keep.
    const none = [0, 1, 'x', null, [0, 1], { a: 0 }, new Map([[-0, 0]]), new Set([-0]), new Float64Array([-0])];
    expect(none.map(holdsNegativeZero)).toEqual(Array(none.length).fill(false));
    const some = [[0, -0], { a: { b: -0 } }, new Map([[1, -0]]), new Map([[[-0], 1]]), new Set([{ z: -0 }])];
    expect(some.map(holdsNegativeZero)).toEqual(Array(some.length).fill(true));
  });

  it('ends on cycles, and sees a -0 past a value structured clone refuses', () => {
    const cycle: Record<string, unknown> = { f: () => 1 };
    cycle['self'] = cycle;
    expect(holdsNegativeZero(cycle)).toBe(false);
    cycle['z'] = -0;
    expect(holdsNegativeZero(cycle)).toBe(true);
  });
});

describe('findCloneMismatch', () => {
  it('reports both the refusal and the -0', () => {
    expect(findCloneMismatch({ n: -0, f: () => 1 }, 'input')).toEqual({ mismatch: 'input.f: a function cannot be sent', negativeZero: true });
    expect(findCloneMismatch(3, 'input')).toEqual({ mismatch: undefined, negativeZero: false });
  });
});

describe('findCloneMismatch, paths and walks', () => {
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
