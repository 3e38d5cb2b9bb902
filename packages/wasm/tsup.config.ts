import { defineConfig } from 'tsup';

export default defineConfig({
  // node/index.ts reads files with node:fs; index.ts is the universal (browser) build, which fetches.
  entry: ['src/index.ts', 'src/node/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
