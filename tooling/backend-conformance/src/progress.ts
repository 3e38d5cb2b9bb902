import { expect, it } from 'vitest';
import { rejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

export function describeProgress({ backend }: SuiteContext): void {
  it('hands onProgress every value in order, all before the result', async () => {
    for (const async of [false, true]) {
      const seen: unknown[] = [];
      let settled = false;
      const call = backend().runTask('reportProgress', { steps: 20, async }, { onProgress: (value: unknown) => seen.push(settled ? 'late' : value) });
      await expect(call.finally(() => (settled = true))).resolves.toBe('done');
      expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => ({ step: index + 1, of: 20 })));
    }
  });

  it('runs a reporting task without onProgress, and with an onProgress that throws', async () => {
    await expect(backend().runTask('reportProgress', { steps: 3 })).resolves.toBe('done');
    const throwing = (): void => {
      throw new Error('the caller’s callback broke');
    };
    await expect(backend().runTask('reportProgress', { steps: 3 }, { onProgress: throwing })).resolves.toBe('done');
  });

  it('passes progress along with a deadline', async () => {
    const seen: unknown[] = [];
    await expect(backend().runTask('reportProgress', { steps: 2 }, { timeout: 10_000, onProgress: (value: unknown) => seen.push(value) })).resolves.toBe('done');
    expect(seen).toHaveLength(2);
  });

  it('refuses an onProgress that is not a function with INVALID_REQUEST', async () => {
    const error = await rejectionOf(() => backend().runTask('reportProgress', { steps: 1 }, { onProgress: 'log' } as never));
    expect(error.code).toBe('INVALID_REQUEST');
  });
}
