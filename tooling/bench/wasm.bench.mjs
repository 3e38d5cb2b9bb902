// pnpm --filter @hybridcompute/bench run bench:wasm: WebAssembly tasks
// (@hybridcompute/wasm) against the same tasks in JavaScript, as the median of
// several processes; prints Markdown tables for BENCHMARKS.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';
import { medianOverProcesses } from './run-in-processes.mjs';

// Assemble the module from its WAT source: no binary is committed.
const wabt = await initWabt();
const wat = fileURLToPath(new URL('./wasm/bench.wat', import.meta.url));
const parsed = wabt.parseWat('bench.wat', readFileSync(wat, 'utf8'));
mkdirSync(new URL('./wasm/build/', import.meta.url), { recursive: true });
writeFileSync(new URL('./wasm/build/bench.wasm', import.meta.url), parsed.toBinary({}).buffer);
parsed.destroy();

const runs = Number(process.env.BENCH_RUNS ?? 5);
const { medians: m, samples } = medianOverProcesses(fileURLToPath(new URL('./wasm-tasks.mjs', import.meta.url)), runs);
const range = (key, scale = 1) => {
  const values = samples.map((sample) => sample[key] / scale);
  return `${Math.min(...values).toFixed(scale === 1 ? 0 : 2)}–${Math.max(...values).toFixed(scale === 1 ? 0 : 2)}`;
};

console.log(`Node ${process.version}; ${runs} processes, each the median of its rounds of sequential calls.\n`);
console.log("Call overhead: `add([n, 1])`, an i32 export, against `defineTask('addJs', ([a, b]) => (a + b) | 0)`.\n");
console.log('| path | WASM ns/call | JS ns/call | WASM / JS | WASM range |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [key, label] of [['direct', 'direct `task.run(input)`'], ['local', "backend-local `runTask('add', [n, 1])`"], ['worker', 'backend-worker, size 1, one call in flight']]) {
  console.log(`| ${label} | ${m[`${key}Wasm`].toFixed(0)} | ${m[`${key}Js`].toFixed(0)} | ${(m[`${key}Wasm`] / m[`${key}Js`]).toFixed(2)} | ${range(`${key}Wasm`)} |`);
}
const mbPerSecond = (ns) => ((1024 * 1024) / (ns / 1e9) / 1e6).toFixed(0);
console.log('\nThe heavy export: `checksum` (FNV-1a 64-bit, folded) over a 1 MiB Uint8Array, against its JavaScript twin (32-bit halves).\n');
console.log('| path | WASM ms/call | JS ms/call | JS / WASM (speedup) | WASM MB/s | JS MB/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const [key, label] of [['checksum', 'backend-local'], ['workerChecksum', 'backend-worker (the 1 MiB input is copied to the worker)']]) {
  const wasm = m[`${key}Wasm`];
  const js = m[`${key}Js`];
  console.log(`| ${label} | ${(wasm / 1e6).toFixed(2)} | ${(js / 1e6).toFixed(2)} | ${(js / wasm).toFixed(2)} | ${mbPerSecond(wasm)} | ${mbPerSecond(js)} |`);
}
