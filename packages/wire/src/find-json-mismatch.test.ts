import { structuredCloneSamples } from '@hybridcompute/backend-conformance/values';
import { describe, expect, it } from 'vitest';
import { findJsonMismatch } from './find-json-mismatch.js';

describe('findJsonMismatch', () => {
  it('says where JSON would change a value, with its path', () => {
    expect(findJsonMismatch({ pixels: new Uint8Array(2) }, 'input')).toBe('input.pixels: a Uint8Array cannot travel as JSON');
    expect(findJsonMismatch({ list: [1, { when: new Date() }] }, 'input')).toBe('input.list[1].when: a Date cannot travel as JSON');
    expect(findJsonMismatch({ 'a key': new Map() }, 'result')).toBe('result["a key"]: a Map cannot travel as JSON');
    expect(findJsonMismatch([1, undefined], 'input')).toBe('input[1]: undefined cannot travel as JSON');
    expect(findJsonMismatch({ n: -0 }, 'input')).toBe('input.n: -0 cannot travel as JSON');
    expect(findJsonMismatch(Number.NaN, 'input')).toBe('input: NaN cannot travel as JSON');
    expect(findJsonMismatch(10n, 'input')).toBe('input: a BigInt cannot travel as JSON');
    expect(findJsonMismatch({ f: () => 1 }, 'input')).toBe('input.f: a function cannot travel as JSON');
  });

  it('finds cycles without looping, and lets shared references pass', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(findJsonMismatch(cyclic, 'input')).toBe('input.self: a cycle cannot travel as JSON');
    const shared = { x: 1 };
    expect(findJsonMismatch([shared, shared], 'input')).toBeUndefined();
  });

  it('passes exactly the values JSON carries unchanged', () => {
    for (const [label, value] of structuredCloneSamples()) {
      const mismatch = findJsonMismatch(value, 'input');
      let same = value === undefined;
      if (!same) {
        try {
          expect(JSON.parse(JSON.stringify(value))).toEqual(structuredClone(value));
          same = true;
        } catch {
          same = false;
        }
      }
      expect(mismatch === undefined, `${label}: ${String(mismatch)}`).toBe(same);
    }
  });
});
