import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Assembles test/fixtures/wat/*.wat into test/fixtures/wasm-build/ before any test file runs.
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    // Worker pools, a server, Redis and a browser share two cores with everything else: leave room.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
