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

  it('bounds a task that reports in a tight loop: increasing values, the last before the result; a task that awaits gets every value', async () => {
    // Not awaited: a transport past its window coalesces the values it has not sent (latest wins).
    const steps = 100_000;
    const seen: number[] = [];
    let settled = false;
    let late = 0;
    const onProgress = (value: unknown): void => {
      if (settled) late++;
      seen.push((value as { step: number }).step);
    };
    await expect(backend().runTask('reportProgress', { steps }, { onProgress }).finally(() => (settled = true))).resolves.toBe('done');
    expect(late).toBe(0);
    expect(seen.every((step, index) => index === 0 || step > (seen[index - 1] as number))).toBe(true);
    expect(seen.at(-1)).toBe(steps);
    // Awaited, with a consumer that takes each value a timer later: every value, in order.
    const paced: number[] = [];
    const slowly = (value: unknown): Promise<void> => {
      paced.push((value as { step: number }).step);
      return new Promise((resolve) => setTimeout(resolve, 0));
    };
    await expect(backend().runTask('reportProgress', { steps: 200, awaits: true }, { onProgress: slowly })).resolves.toBe('done');
    expect(paced).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
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
