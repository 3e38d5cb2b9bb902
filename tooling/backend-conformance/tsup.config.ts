import { defineConfig } from 'tsup';

export default defineConfig({
  // The tasks get their own entry so a worker file can import them without vitest.
  entry: ['src/index.ts', 'src/conformance-tasks.ts', 'src/conformance-values.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
