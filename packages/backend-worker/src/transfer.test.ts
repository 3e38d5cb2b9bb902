import { describe, expect, it } from 'vitest';
import { transfer, transferAll, transferListOf } from './transfer.js';

describe('transfer', () => {
  it('marks the object itself with its transfer list, for calls sent alone and in batches', () => {
    const buffer = new ArrayBuffer(8);
    const input = { buffer };
    expect(transfer(input, [buffer])).toBe(input);
    expect(transferListOf(input)).toEqual([buffer]);
    expect(transferListOf({ buffer })).toBeUndefined();
    expect(transferListOf(5)).toBeUndefined();
  });

  it('refuses a value that cannot carry the mark, and a list that is not an array', () => {
    const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });
    expect(() => transfer(5, [])).toThrow(invalid);
    expect(() => transfer(null, [])).toThrow(invalid);
    expect(() => transfer({}, 'buffer' as never)).toThrow(invalid);
  });

  it('leaves a batch without transferables as it is', () => {
    const batch = [1, 2];
    expect(transferAll(batch, undefined)).toBe(batch);
  });
});
