import { expect, it } from 'vitest';
import { rejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

const badOptions: [string, unknown][] = [
  ['a signal that is a plain object', { signal: {} }],
  ['a negative timeout', { timeout: -1 }],
  ['a string timeout', { timeout: 'x' }],
  ['a NaN timeout', { timeout: Number.NaN }],
  ["a timeout past setTimeout's limit", { timeout: 2 ** 40 }],
  ['a number as the options', 5],
  ['true as the options', true],
];

export function describeBadOptions({ backend }: SuiteContext): void {
  it.each(badOptions)('rejects %s with INVALID_REQUEST, never a throw or a hang', async (_label, options) => {
    const error = await rejectionOf(() => backend().runTask('double', 1, options as never));
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toMatch(/signal|timeout|options|third argument/);
  });

  it('takes { signal: null } and { signal: undefined } as no signal', async () => {
    await expect(backend().runTask('double', 2, { signal: null })).resolves.toBe(4);
    await expect(backend().runTask('double', 3, { signal: undefined })).resolves.toBe(6);
  });

  it('serves calls normally after refusing bad options', async () => {
    await rejectionOf(() => backend().runTask('double', 1, { timeout: -1 }));
    await expect(backend().runTask('double', 5, { timeout: 10_000 })).resolves.toBe(10);
  });
}
