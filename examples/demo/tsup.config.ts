import { defineConfig } from 'tsup';

export default defineConfig({
  // index: what the browser example's test imports; demo-tasks and demo-worker: what the server CLI and the pool load
  // (simulated-machine-tasks: what the demo's own server loads, a simulated second machine);
  // exit-with-parent: preloaded into the server's process (run-with-parent: the same on Deno).
  entry: ['src/demo.ts', 'src/index.ts', 'src/demo-tasks.ts', 'src/simulated-machine-tasks.ts', 'src/demo-worker.ts', 'src/browser.ts', 'src/exit-with-parent.ts', 'src/run-with-parent.ts'],
  format: ['esm'],
  dts: { entry: ['src/index.ts', 'src/demo-tasks.ts', 'src/browser.ts'] },
  sourcemap: true,
  clean: true,
  target: 'es2022',
});
