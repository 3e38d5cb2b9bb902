import { createHybridCompute } from '@hybridcompute/core';
import { expect, it } from 'vitest';
import { computeRejectionOf } from './rejection-of.js';
import type { BackendUnderTest, SuiteContext } from './suite-context.js';

export function describeCredentials({ options }: SuiteContext, createWithWrongCredentials: () => BackendUnderTest | Promise<BackendUnderTest>): void {
  it('rejects a call with wrong credentials with UNAUTHORIZED', async () => {
    const backend = await createWithWrongCredentials();
    try {
      const error = await computeRejectionOf(() => backend.runTask('double', 1));
      expect(error.code).toBe('UNAUTHORIZED');
    } finally {
      await options.dispose?.(backend);
    }
  });

  it("never falls back from UNAUTHORIZED under 'auto'", async () => {
    const backend = await createWithWrongCredentials();
    let fallbackRan = false;
    const fallback = {
      canRun: () => true,
      runTask: async () => {
        fallbackRan = true;
        return 'ran elsewhere';
      },
    };
    const router = createHybridCompute({ first: backend, fallback });
    try {
      const error = await computeRejectionOf(() => router.runTask('double', 1));
      expect(error.code).toBe('UNAUTHORIZED');
      expect(fallbackRan).toBe(false);
    } finally {
      await options.dispose?.(backend);
    }
  });
}
