// One process of `bench:wasm` (wasm.bench.mjs): a WebAssembly task against the
// same task in JavaScript, called directly, on the local backend and on a
// worker pool of one; and the CPU-heavy checksum against its JavaScript twin.
// Prints one JSON line of nanoseconds per call.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { measureMedian } from './measure-median.mjs';
import * as tasks from './wasm/wasm-bench-tasks.mjs';

const local = createLocalBackend({ tasks });
const worker = createWorkerBackend({ url: new URL('./wasm/wasm-bench-worker.mjs', import.meta.url), size: 1 });
await worker.ready();
const signal = new AbortController().signal;
const bytes = new Uint8Array(1024 * 1024);
for (let offset = 0; offset < bytes.length; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536));
if ((await local.runTask('checksum', bytes)) !== (await local.runTask('checksumJs', bytes))) throw new Error('the twins disagree');

const sequential = (call) => async (calls) => {
  for (let index = 0; index < calls; index++) await call(index);
};
const figures = {};
const measure = async (name, call, calls, rounds) => {
  await sequential(call)(Math.min(calls, 2000)); // warm-up: first instantiation, JIT
  figures[name] = await measureMedian(sequential(call), { calls, rounds });
};

await measure('directWasm', (index) => tasks.add.run([index, 1], signal), 200_000, 11);
await measure('directJs', (index) => tasks.addJs.run([index, 1], signal), 200_000, 11);
await measure('localWasm', (index) => local.runTask('add', [index, 1]), 200_000, 11);
await measure('localJs', (index) => local.runTask('addJs', [index, 1]), 200_000, 11);
await measure('workerWasm', (index) => worker.runTask('add', [index, 1]), 10_000, 7);
await measure('workerJs', (index) => worker.runTask('addJs', [index, 1]), 10_000, 7);
await measure('checksumWasm', () => local.runTask('checksum', bytes), 40, 7);
await measure('checksumJs', () => local.runTask('checksumJs', bytes), 40, 7);
await measure('workerChecksumWasm', () => worker.runTask('checksum', bytes), 40, 7);
await measure('workerChecksumJs', () => worker.runTask('checksumJs', bytes), 40, 7);
await worker.close();
console.log(JSON.stringify(figures));
