// pnpm --filter @hybridcompute/bench bench:size: each browser entry's size as a bundler would ship
// it (esbuild, `browser` condition, minified ESM with code splitting), and gzipped; core is counted
// apart, since an app shares one copy among its backends. What loads with the page is apart from
// what a dynamic `import()` fetches only when needed (MessagePack, once a server offers it).
// Prints a Markdown table.
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

// What an app imports, so the bundler keeps only what those names need (as it would for the app).
const entries = [
  ['core: the router and defineTask', "export { createHybridCompute, defineTask, ComputeError } from '@hybridcompute/core';", []],
  ['core and the worker pool', "export { createHybridCompute, defineTask } from '@hybridcompute/core'; export { createWorkerBackend } from '@hybridcompute/backend-worker';", []],
  ['the worker side (`/worker`)', "export { exposeTasks } from '@hybridcompute/backend-worker/worker';", ['@hybridcompute/core']],
  ['the remote client', "export { createRemoteBackend } from '@hybridcompute/backend-remote';", ['@hybridcompute/core']],
  ['the wire codecs, JSON and MessagePack (msgpackr)', "export { codecOf } from '@hybridcompute/wire';", ['@hybridcompute/core']],
];

const outdir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
const kB = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const sizes = (files) => {
  const minified = files.reduce((sum, file) => sum + file.contents.length, 0);
  const gzipped = files.reduce((sum, file) => sum + gzipSync(file.contents, { level: 9 }).length, 0);
  return `${kB(minified)} | ${kB(gzipped)}`;
};

console.log('| browser entry | loads | minified | gzipped |');
console.log('| --- | --- | ---: | ---: |');
try {
  for (const [name, contents, external] of entries) {
    const result = await build({
      stdin: { contents, resolveDir: import.meta.dirname, loader: 'js', sourcefile: 'entry.js' },
      bundle: true,
      minify: true,
      format: 'esm',
      splitting: true,
      outdir,
      platform: 'browser',
      conditions: ['browser'],
      external,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    const fileOf = new Map(result.outputFiles.map((file) => [file.path, file]));
    const pathOf = (output) => join(process.cwd(), output);
    const entry = Object.keys(outputs).find((output) => outputs[output].entryPoint !== undefined);
    // With the page: the entry and every chunk it reaches by static imports.
    const eager = new Set();
    const visit = (output) => {
      if (eager.has(output)) return;
      eager.add(output);
      for (const { path, kind } of outputs[output].imports) if (kind === 'import-statement' && outputs[path] !== undefined) visit(path);
    };
    visit(entry);
    const lazy = Object.keys(outputs).filter((output) => !eager.has(output));
    const label = external.length > 0 ? `${name} (core not counted)` : name;
    console.log(`| ${label} | with the page | ${sizes([...eager].map((output) => fileOf.get(pathOf(output))))} |`);
    if (lazy.length > 0) console.log(`| ${label} | on demand, by \`import()\` | ${sizes(lazy.map((output) => fileOf.get(pathOf(output))))} |`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
