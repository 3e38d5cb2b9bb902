import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Every file talks to the same Redis and the fault tests start processes: on two shared cores, one file at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
    // A forced BullMQ worker close at the end of a test can leave one of BullMQ's own commands
    // pending on the connection it has just closed; ioredis then rejects it with "Connection is
    // closed." where nothing listens (taskforcesh/bullmq#2714). Ignore exactly that error from
    // ioredis; any other unhandled error still fails the run.
    onUnhandledError: (error) => (error.message === 'Connection is closed.' && /[\\/]ioredis[\\/]/.test(error.stack ?? '') ? false : undefined),
  },
});
