import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/tracing.ts', 'src/certificates.ts', 'src/memory.ts', 'src/static-site.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
