import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    // Worker pools, server processes and tsc share two cores with everything else: leave room.
    testTimeout: 30_000,
  },
});
