// pnpm --filter @hybridcompute/bench run bench:stream:worker: streams and progress over the worker
// pool (pool size 1): small chunks per second through streamTask against bare postMessage from a
// worker, in the same process; the cost of passing onProgress on a no-op call that reports nothing;
// and what a stalled reader holds. Each figure is the median over several processes.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';
import { runtimeLabel } from './runtime-label.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
// stream-worker.mjs reads the same variable: the window every stream of the run uses.
const highWaterMark = Number(process.env.BENCH_HWM ?? 16);
const script = fileURLToPath(new URL('./stream-worker.mjs', import.meta.url));
const { medians: m, samples } = medianOverProcesses(script, runs);
const range = (key, digits = 0) => {
  const values = samples.map((sample) => sample[key]);
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
};

console.log(`${runtimeLabel()}; one worker; ${runs} processes, medians (each process: the median of its interleaved rounds).\n`);
console.log(`| stream of small chunks, highWaterMark ${highWaterMark} | numbers: chunks/s | range | objects \`{ index }\`: chunks/s | range |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| \`streamTask\` on the worker pool | ${m.streamedPerSec.toFixed(0)} | ${range('streamedPerSec')} | ${m.streamedObjectsPerSec.toFixed(0)} | ${range('streamedObjectsPerSec')} |`);
console.log(`| bare \`postMessage\` from a worker, one message per chunk, no flow control | ${m.barePerSec.toFixed(0)} | ${range('barePerSec')} | ${m.bareObjectsPerSec.toFixed(0)} | ${range('bareObjectsPerSec')} |`);
console.log(`| ratio | ${m.ratio.toFixed(2)} | ${range('ratio', 2)} | ${m.objectsRatio.toFixed(2)} | ${range('objectsRatio', 2)} |`);
console.log('\nPrimitive chunks travel several to a message (nothing can change them after their `yield`); object chunks one message each, cloned at their `yield`.');
console.log('\n| no-op call | without `onProgress` (calls/s) | with `onProgress`, no progress sent | ratio | range |');
console.log('| --- | ---: | ---: | ---: | ---: |');
console.log(`| 64 in flight | ${m.noop64PerSec.toFixed(0)} | ${m.progress64PerSec.toFixed(0)} | ${m.progress64Ratio.toFixed(2)} | ${range('progress64Ratio', 2)} |`);
console.log(`| 1 in flight | ${m.noop1PerSec.toFixed(0)} | ${m.progress1PerSec.toFixed(0)} | ${m.progress1Ratio.toFixed(2)} | ${range('progress1Ratio', 2)} |`);
console.log(`\n| stalled reader (256 KiB chunks, highWaterMark ${highWaterMark}, 1 s without reading) | median | range |`);
console.log('| --- | ---: | ---: |');
console.log(`| heap + ArrayBuffer growth of the reader's thread (MiB) | ${m.stalledGrowthMiB.toFixed(2)} | ${range('stalledGrowthMiB', 2)} |`);
console.log(`| what highWaterMark + 1 chunks hold (MiB) | ${m.stalledBoundMiB.toFixed(2)} | |`);
console.log(`| chunks the task produced in all | ${m.stalledProduced} | ${range('stalledProduced')} |`);
