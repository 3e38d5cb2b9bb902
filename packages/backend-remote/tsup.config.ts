import { defineConfig } from 'tsup';

export default defineConfig({
  // Two entries: browsers get fetch and the native WebSocket, with no undici in their graph.
  entry: ['src/index.ts', 'src/browser.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
