// pnpm --filter @hybridcompute/bench bench:size: each browser entry's size as a bundler would ship
// it (esbuild, `browser` condition, minified ESM), and gzipped; core is counted apart, since an
// app shares one copy among its backends. Prints a Markdown table.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// What an app imports, so the bundler keeps only what those names need (as it would for the app).
const entries = [
  ['core: the router and defineTask', "export { createHybridCompute, defineTask, ComputeError } from '@hybridcompute/core';", []],
  ['core and the worker pool', "export { createHybridCompute, defineTask } from '@hybridcompute/core'; export { createWorkerBackend } from '@hybridcompute/backend-worker';", []],
  ['the worker side (`/worker`)', "export { exposeTasks } from '@hybridcompute/backend-worker/worker';", ['@hybridcompute/core']],
  ['the remote client, with MessagePack', "export { createRemoteBackend } from '@hybridcompute/backend-remote';", ['@hybridcompute/core']],
  ['of which the wire codecs (msgpackr)', "export { codecOf } from '@hybridcompute/wire';", ['@hybridcompute/core']],
];

console.log('| browser entry | minified | gzipped |');
console.log('| --- | ---: | ---: |');
for (const [name, contents, external] of entries) {
  const result = await build({
    stdin: { contents, resolveDir: import.meta.dirname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['browser'],
    external,
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  const label = external.length > 0 ? `${name} (core not counted)` : name;
  console.log(`| ${label} | ${(bytes.length / 1024).toFixed(1)} kB | ${(gzipSync(bytes, { level: 9 }).length / 1024).toFixed(1)} kB |`);
}
