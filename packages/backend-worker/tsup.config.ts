import { defineConfig } from 'tsup';

export default defineConfig({
  // The node/ entries add worker_threads; the others are the universal (browser) build.
  entry: ['src/index.ts', 'src/worker.ts', 'src/node/index.ts', 'src/node/worker.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
