// pnpm --filter @hybridcompute/bench bench:size: each browser entry's size as a bundler would ship
// it (esbuild, `browser` condition, minified ESM with code splitting), and gzipped; core is counted
// apart, since an app shares one copy among its backends. What loads with the page is apart from
// what a dynamic `import()` fetches only when needed (MessagePack, once a server offers it).
// Prints a Markdown table, then core's bytes by feature (from esbuild's metafile, see
// bundle-attribution.mjs); `--modules` adds each entry's source files, largest first.
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { attributeEntry, browserBundleOptions, groupInputs, withThePage } from './bundle-attribution.mjs';

// What an app imports, so the bundler keeps only what those names need (as it would for the app).
const entries = [
  ['core: the router and defineTask', "export { createHybridCompute, defineTask, ComputeError } from '@hybridcompute/core';", []],
  ['core and the worker pool', "export { createHybridCompute, defineTask } from '@hybridcompute/core'; export { createWorkerBackend } from '@hybridcompute/backend-worker';", []],
  ['the worker side (`/worker`)', "export { exposeTasks } from '@hybridcompute/backend-worker/worker';", ['@hybridcompute/core']],
  ['the remote client', "export { createRemoteBackend } from '@hybridcompute/backend-remote';", ['@hybridcompute/core']],
  ['the wire codecs, JSON and MessagePack (msgpackr)', "export { codecOf } from '@hybridcompute/wire';", ['@hybridcompute/core']],
  // The floor under the MessagePack chunk: what the codec uses of msgpackr, with nothing of ours.
  ['msgpackr alone: `Packr` and `addExtension`, its browser build', "export { Packr, addExtension } from 'msgpackr';", [], join(import.meta.dirname, '../../packages/wire')],
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
  for (const [name, contents, external, resolveDir = import.meta.dirname] of entries) {
    const result = await build({
      ...browserBundleOptions,
      stdin: { contents, resolveDir, loader: 'js', sourcefile: 'entry.js' },
      outdir,
      external,
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
    const label = external.length > 0 ? `${name} (core not counted)` : name;
    console.log(`| ${label} | with the page | ${sizes([...eager].map((output) => fileOf.get(pathOf(output))))} |`);
    // On demand: each chunk an `import()` fetches, with what it alone reaches (named by its module).
    for (const output of Object.keys(outputs)) {
      const module = outputs[output].entryPoint;
      if (eager.has(output) || module === undefined) continue;
      const reached = new Set();
      const reach = (path) => {
        if (eager.has(path) || reached.has(path)) return;
        reached.add(path);
        for (const { path: next, kind } of outputs[path].imports) if (kind === 'import-statement' && outputs[next] !== undefined) reach(next);
      };
      reach(output);
      const what = module.replace(/^.*[\\/](?:dist|src)[\\/]/, '').replace(/\.[jt]s$/, '').replace(/-[A-Z0-9]{8}$/, '');
      console.log(`| ${label} | on demand, by \`import()\`: ${what} | ${sizes([...reached].map((path) => fileOf.get(pathOf(path))))} |`);
    }
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}

// Core's parts, by the source files that hold them: what each feature weighs in the router an app ships.
const coreFeatures = [
  [/^core\/placement\/follow-stream|^core\/(lazy-stream|task-stream|stream-)/, 'progress and streams (`streamTask`, `ctx.progress`)'],
  [/^core\/placement\//, "placement (`'fastest'`: estimates, load, `stats()`, reasons)"],
  [/^core\/tracing\//, 'tracing (the `tracer` option and its spans)'],
  [/^core\/validate-with-schema/, 'task schemas (Standard Schema checks, `issues`)'],
  [/^core\/(lifecycle\/|abort-error-from|is-abort-signal|observe-attempt|all-unavailable-error)/, 'the call lifecycle (option checks, deadlines, hooks, close, error factories)'],
  [/^core\/compute-error|^core\/message-of|^core\/invalid-argument-error/, '`ComputeError` (codes, `toJSON`/`fromJSON`, causes)'],
  [/^core\/define-task/, '`defineTask`'],
  [/^core\//, 'the router itself (`hybrid-compute-router.ts` and its helpers)'],
];
const featureOf = (name) => coreFeatures.find(([pattern]) => pattern.test(name))?.[1] ?? name;
const [core] = await attributeEntry(entries[0][1], entries[0][2]);
console.log(`\nCore by feature (source files bundled on their own; gzipped shares estimated from minified bytes):\n`);
console.log('| part | minified | gzipped |');
console.log('| --- | ---: | ---: |');
for (const { group, minified, gzipped } of groupInputs(core, featureOf)) console.log(`| ${group} | ${kB(minified)} | ${kB(gzipped)} |`);
console.log(`| all of core | ${kB(core.minified)} | ${kB(core.gzipped)} |`);

// The remote client's first chunk, by the same method: what a page pays before it makes a call.
const remoteFeatures = [
  [/^backend-remote\/(lazy-websocket-channel|subprotocols-for)/, "the WebSocket transport's loader (the transport itself comes by `import()`)"],
  [/^backend-remote\/(websocket-|channel-stream|read-answer-frame|reconnect-backoff)/, 'the WebSocket transport (channel, connector, frames, reconnects)'],
  [/^backend-remote\/(http-stream-call|chunk-queue|stream-records|remote-stream|request-with-progress)|^wire\/record-stream/, 'streams and progress'],
  [/^backend-remote\/(remote-endpoint|endpoint-|admission-queue)/, 'several endpoints and admission (expected finish, cooldown, queue)'],
  [/^backend-remote\/remote-tls-options/, 'the `tls` and `dispatcher` options (checked; a browser\'s `fetch` does not use them)'],
  [/^backend-remote\/trace-/, 'tracing (the `traceparent` carrier)'],
  [/^wire\/find-json-mismatch/, "JSON's refusal of values it would change"],
  [/^wire\//, 'the JSON codec and the encodings table'],
  [/^backend-remote\//, 'HTTP calls over `fetch`, options, connect, retries, errors'],
];
const remoteEntry = entries.find(([name]) => name === 'the remote client');
const remoteChunks = await attributeEntry(remoteEntry[1], remoteEntry[2]);
const remoteFirst = withThePage(remoteChunks);
console.log(`\nWhat of the remote client loads with the page, by feature (estimated the same way):\n`);
console.log('| part | minified | gzipped |');
console.log('| --- | ---: | ---: |');
for (const { group, minified, gzipped } of groupInputs(remoteFirst, (name) => remoteFeatures.find(([pattern]) => pattern.test(name))?.[1] ?? name)) {
  console.log(`| ${group} | ${kB(minified)} | ${kB(gzipped)} |`);
}
const total = (key) => remoteFirst.reduce((sum, chunk) => sum + chunk[key], 0);
console.log(`| with the page (${remoteFirst.length} chunks) | ${kB(total('minified'))} | ${kB(total('gzipped'))} |`);

if (process.argv.includes('--modules')) {
  for (const [name, contents, external, resolveDir] of entries) {
    const chunks = await attributeEntry(contents, external, resolveDir);
    const roles = { entry: 'the entry chunk', 'import()': 'a chunk loaded by `import()`', shared: 'a chunk the others share' };
    for (const chunk of chunks.sort((a, b) => Object.keys(roles).indexOf(a.role) - Object.keys(roles).indexOf(b.role))) {
      console.log(`\n${name}, ${roles[chunk.role]}: ${kB(chunk.minified)} minified, ${kB(chunk.gzipped)} gzipped\n`);
      console.log('| source file | minified |');
      console.log('| --- | ---: |');
      for (const input of chunk.inputs) console.log(`| ${input.name} | ${input.minified} B |`);
    }
  }
}
