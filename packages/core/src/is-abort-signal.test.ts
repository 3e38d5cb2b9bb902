import { describe, expect, it } from 'vitest';
import { isAbortSignal } from './is-abort-signal.js';

describe('isAbortSignal', () => {
  it('accepts signals, aborted or not, and refuses look-alikes that miss a part', () => {
    expect(isAbortSignal(new AbortController().signal)).toBe(true);
    expect(isAbortSignal(AbortSignal.abort())).toBe(true);
    expect(isAbortSignal({ aborted: false, addEventListener() {} })).toBe(true);
    for (const value of [undefined, null, {}, { aborted: 'no', addEventListener() {} }, { aborted: false }, () => new AbortController().signal, 'signal']) {
      expect(isAbortSignal(value)).toBe(false);
    }
  });
});
