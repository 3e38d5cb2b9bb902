import { expect, it } from 'vitest';
import type { SuiteContext } from './suite-context.js';

export function describeRunTask({ backend }: SuiteContext): void {
  it('runs a synchronous task', async () => {
    await expect(backend().runTask('double', 21)).resolves.toBe(42);
  });

  it('runs an asynchronous task', async () => {
    await expect(backend().runTask('asyncDouble', 5)).resolves.toBe(10);
  });

  it('returns structured values unchanged', async () => {
    const value = { text: 'héllo ✓', list: [1, 2.5, -3, null, true], nested: { deep: { deeper: ['x'] } }, empty: {} };
    await expect(backend().runTask('echo', value)).resolves.toEqual(value);
  });

  it('returns primitive values unchanged', async () => {
    for (const value of [0, -1.5, '', 'text', true, false, null]) {
      await expect(backend().runTask('echo', value)).resolves.toBe(value);
    }
  });

  it('moves a large payload out of the task', async () => {
    const size = 4 * 1024 * 1024;
    const result = (await backend().runTask('bigPayload', { size, seed: 'abc' })) as string;
    expect(result.length).toBe(size);
    expect(result.slice(0, 6)).toBe('abcabc');
    expect(result.endsWith('a')).toBe(true);
  });

  it('moves a large payload into the task', async () => {
    const values = Array.from({ length: 500_000 }, (_, index) => index % 7);
    const expected = values.reduce((total, value) => total + value, 0);
    await expect(backend().runTask('sum', values)).resolves.toBe(expected);
  });

  it('returns a promise even when the call fails', () => {
    const call = backend().runTask('no-such-task', 1);
    expect(call).toBeInstanceOf(Promise);
    return expect(call).rejects.toBeDefined();
  });
}
