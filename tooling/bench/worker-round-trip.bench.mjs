// pnpm --filter @hybridcompute/bench run bench:worker:round-trip
//
// The round trip of one call in flight, over many fresh processes. On this
// 2-vCPU machine a thread-to-thread round trip is bimodal for every pool, bare
// postMessage included: about 15 µs, or about 50 µs, and a pool keeps the mode
// it starts in for the life of its process. One process therefore says little;
// this runs BENCH_PROCESSES of them (worker-round-trip.mjs) and reports, per
// pool, the median p50 over processes, how many processes ran in the fast mode,
// the median p50 of the fast-mode processes and of the slow-mode ones, and two
// ratios to piscina: the median over processes of the ratio in the same process
// (paired), and the ratio of the two pools' medians over processes. With about
// half the processes in each mode, the second swings with where the medians land.
// BENCH_ATOMICS=false runs our pools without the idle wake through Atomics.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';
import { runtimeLabel } from './runtime-label.mjs';

const processes = Number(process.env.BENCH_PROCESSES ?? 15);
const fastModeMicros = 30;
const { samples } = medianOverProcesses(fileURLToPath(new URL('./worker-round-trip.mjs', import.meta.url)), processes);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

const atomics = process.env.BENCH_ATOMICS === 'false' ? '; our pools with atomics: false' : '';
console.log(`${runtimeLabel()}; pool size 2; ${processes} processes, each the median p50 of ${process.env.BENCH_ROUNDS ?? 8} interleaved rounds of ${process.env.BENCH_CALLS ?? 400} sequential calls${atomics}.\n`);
console.log(
  `| pool | round trip p50 (µs, median over processes) | range | processes under ${fastModeMicros} µs | p50 of those (median) | p50 of the others (median) | x piscina (median of per-process ratios) | x piscina (ratio of medians) |`,
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
const piscina = samples.map((sample) => sample['piscina 5.3.2']);
const medianOrDash = (values) => (values.length === 0 ? '–' : median(values).toFixed(1));
for (const name of Object.keys(samples[0])) {
  const values = samples.map((sample) => sample[name]);
  const pairedRatio = median(samples.map((sample) => sample[name] / sample['piscina 5.3.2']));
  const fast = values.filter((value) => value < fastModeMicros);
  const slow = values.filter((value) => value >= fastModeMicros);
  console.log(
    `| ${name} | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} | ${fast.length} of ${processes} | ${medianOrDash(fast)} | ${medianOrDash(slow)} | ${pairedRatio.toFixed(2)} | ${(median(values) / median(piscina)).toFixed(2)} |`,
  );
}
