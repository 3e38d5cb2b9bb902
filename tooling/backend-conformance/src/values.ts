import { expect, it } from 'vitest';
import { largeSamples, structuredCloneSamples } from './conformance-values.js';
import { rejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

// A deep comparison of 2 million elements would take a test's whole time: large typed arrays compare as bytes.
function expectSameValue(actual: unknown, expected: unknown): void {
  if (ArrayBuffer.isView(expected) && expected.byteLength > 1024 * 1024) {
    expect(actual).toBeInstanceOf(expected.constructor);
    const view = actual as ArrayBufferView;
    const same = Buffer.from(view.buffer, view.byteOffset, view.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength));
    expect(same).toBe(true);
    return;
  }
  expect(actual).toEqual(expected);
}

/**
 * Values: what a task receives and returns is the same value on every
 * backend, the structured-clone set. A backend that speaks only JSON
 * refuses, before the call leaves, every value JSON would change.
 */
export function describeValues({ backend, capabilities }: SuiteContext): void {
  const carries = capabilities.values ?? 'structured-clone';

  for (const [label, value] of structuredCloneSamples()) {
    if (carries === 'structured-clone' || jsonCarries(value)) {
      it(`echoes ${label} as structuredClone would`, async () => {
        expectSameValue(await backend().runTask('echo', value), structuredClone(value));
      });
    } else {
      it(`refuses ${label} with INVALID_REQUEST naming where it is, since JSON would change it`, async () => {
        const error = await rejectionOf(() => backend().runTask('echo', { wrapped: value }));
        expect(error.code).toBe('INVALID_REQUEST');
        expect(error.message).toContain('input.wrapped');
        expect(error.message).toContain('JSON');
      });
    }
  }

  if (capabilities.largeValues !== false) {
    for (const [label, value] of largeSamples()) {
      if (carries === 'json' && ArrayBuffer.isView(value)) {
        it(`refuses ${label} with INVALID_REQUEST, since JSON would change it`, async () => {
          const error = await rejectionOf(() => backend().runTask('echo', value));
          expect(error.code).toBe('INVALID_REQUEST');
        });
        continue;
      }
      it(`echoes ${label}`, { timeout: 60_000 }, async () => {
        expectSameValue(await backend().runTask('echo', value), value);
      });
    }
  }
}

function jsonCarries(value: unknown): boolean {
  if (value === undefined) return true;
  try {
    expect(JSON.parse(JSON.stringify(value))).toEqual(structuredClone(value));
    // toEqual treats -0 as 0 only inside toEqual's own rules; JSON turns -0 into 0.
    return !JSON.stringify(value, (_key, item: unknown) => (Object.is(item, -0) ? '__negative_zero__' : item)).includes('__negative_zero__');
  } catch {
    return false;
  }
}
