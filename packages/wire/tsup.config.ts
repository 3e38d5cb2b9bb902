import { defineConfig } from 'tsup';

export default defineConfig({
  // json and msgpack apart, so a browser client can leave msgpackr out of its first chunk.
  entry: ['src/index.ts', 'src/json.ts', 'src/msgpack.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
