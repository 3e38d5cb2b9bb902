// pnpm --filter @hybridcompute/bench run bench:worker:round-trip
//
// The round trip of one call in flight, over many fresh processes. On this
// 2-vCPU machine a thread-to-thread round trip is bimodal for every pool, bare
// postMessage included: about 15 µs, or about 50 µs, and a pool keeps the mode
// it starts in for the life of its process. One process therefore says little;
// this runs BENCH_PROCESSES of them (worker-round-trip.mjs) and reports, per
// pool, the median p50 over processes, how many processes ran in the fast mode,
// and the median over processes of the ratio to piscina in the same process.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';

const processes = Number(process.env.BENCH_PROCESSES ?? 15);
const fastModeMicros = 30;
const { samples } = medianOverProcesses(fileURLToPath(new URL('./worker-round-trip.mjs', import.meta.url)), processes);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

console.log(`Node ${process.version}; pool size 2; ${processes} processes, each the median p50 of 8 interleaved rounds of 400 sequential calls.\n`);
console.log(`| pool | round trip p50 (µs, median over processes) | range | processes under ${fastModeMicros} µs | x piscina (median of per-process ratios) |`);
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const name of Object.keys(samples[0])) {
  const values = samples.map((sample) => sample[name]);
  const ratio = median(samples.map((sample) => sample[name] / sample['piscina 5.3.2']));
  const fast = values.filter((value) => value < fastModeMicros).length;
  console.log(
    `| ${name} | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)} | ${fast} of ${processes} | ${ratio.toFixed(2)} |`,
  );
}
