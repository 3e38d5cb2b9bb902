import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    // A Vite build and Chromium share two cores with everything else: leave room.
    testTimeout: 150_000,
    hookTimeout: 120_000,
  },
});
