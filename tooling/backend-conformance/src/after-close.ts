import { expect, it } from 'vitest';
import { computeRejectionOf } from './rejection-of.js';
import type { SuiteContext } from './suite-context.js';

export function describeAfterClose({ backend }: SuiteContext): void {
  it('rejects every call after close() with BACKEND_UNAVAILABLE, and close() twice is fine', async () => {
    const underTest = backend();
    await expect(underTest.runTask('double', 1)).resolves.toBe(2);
    expect(typeof underTest.close).toBe('function');
    await underTest.close?.();
    await underTest.close?.();
    const error = await computeRejectionOf(() => underTest.runTask('double', 1));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    const withOptions = await computeRejectionOf(() => underTest.runTask('double', 1, { timeout: 1_000 }));
    expect(withOptions.code).toBe('BACKEND_UNAVAILABLE');
  });

  it('settles a call in flight when close() is called', async () => {
    const underTest = backend();
    const call = underTest.runTask('delayedEcho', { value: 'in flight', ms: 50 }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await underTest.close?.();
    const outcome = await call;
    // Either it finished before the backend went away, or it was told why not.
    if ('error' in outcome) expect((outcome.error as { code?: string }).code).toBe('BACKEND_UNAVAILABLE');
    else expect(outcome.value).toBe('in flight');
  });
}
