import { expect, it } from 'vitest';
import type { SuiteContext } from './suite-context.js';

export function describeDispose({ options }: SuiteContext): void {
  it('settles a call that is in flight when the backend is disposed', async () => {
    const backend = await options.createBackend();
    const call = backend.runTask('delayedEcho', { value: 'in flight', ms: 20 });
    const settled = call.then(
      () => 'fulfilled',
      () => 'rejected',
    );
    await options.dispose?.(backend);
    await expect(settled).resolves.toMatch(/^(fulfilled|rejected)$/);
  });

  it('disposes a backend that was never used', async () => {
    const backend = await options.createBackend();
    await expect(Promise.resolve(options.dispose?.(backend))).resolves.toBeUndefined();
  });
}
