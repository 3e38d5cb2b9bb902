// pnpm --filter @hybridcompute/bench run bench:worker: the worker backend
// against piscina, tinypool and bare postMessage, pool size 2, each figure the
// median of several processes per pool; prints Markdown tables for BENCHMARKS.md.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';
import { runtimeLabel } from './runtime-label.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = fileURLToPath(new URL('./worker-pool.mjs', import.meta.url));
const allSubjects = {
  hybrid: '@hybridcompute/backend-worker',
  piscina: 'piscina 5.3.2',
  tinypool: 'tinypool 2.2.0',
  raw: 'bare `postMessage` (hand-rolled, no library)',
};
// BENCH_SUBJECTS=hybrid,piscina,raw leaves the others out (tinypool 2.2.0 hangs on Deno 2.9).
const chosen = process.env.BENCH_SUBJECTS?.split(',') ?? Object.keys(allSubjects);
const subjects = Object.fromEntries(Object.entries(allSubjects).filter(([key]) => chosen.includes(key)));

// Interleaved, so that a noisy minute on a shared machine hurts every pool alike.
const samples = Object.fromEntries(Object.keys(subjects).map((subject) => [subject, []]));
for (let run = 0; run < runs; run++) {
  for (const subject of Object.keys(subjects)) {
    samples[subject].push(medianOverProcesses(script, 1, { BENCH_SUBJECT: subject }).samples[0]);
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const figures = Object.fromEntries(
  Object.entries(samples).map(([subject, list]) => [
    subject,
    Object.fromEntries(Object.keys(list[0]).map((key) => [key, median(list.map((sample) => sample[key]))])),
  ]),
);
const range = (subject, key, digits = 0) => {
  const values = samples[subject].map((sample) => sample[key]);
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
};

console.log(`${runtimeLabel()}; pool size 2; ${runs} processes per pool, interleaved; medians.\n`);
console.log('| pool | no-op tasks/s (20k, 64 in flight) | range | x piscina | round trip p50 (µs, 1 in flight) | range | 200 × ~5 ms CPU tasks: speedup over serial | range |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const [subject, label] of Object.entries(subjects)) {
  const f = figures[subject];
  console.log(
    `| ${label} | ${f.noopPerSec.toFixed(0)} | ${range(subject, 'noopPerSec')} | ${(f.noopPerSec / figures.piscina.noopPerSec).toFixed(2)} | ${f.roundTripP50Us.toFixed(1)} | ${range(subject, 'roundTripP50Us', 1)} | ${f.cpuSpeedup.toFixed(2)} | ${range(subject, 'cpuSpeedup', 2)} |`,
  );
}
console.log('\nThe round-trip column compares modes, not pools (each process lands in a fast or a slow mode); `bench:worker:round-trip` compares pools.');

// concurrentTasksPerWorker by setting: no-op throughput and CPU speedup. Its
// default (8) is a judgement call, not read off this table: throughput keeps
// rising with the setting, and what deep per-worker queues cost long tasks of
// uneven length is not measured here.
// BENCH_PER_WORKER_TABLE=false stops here (the runtime comparison needs only the table above).
if (process.env.BENCH_PER_WORKER_TABLE === 'false') process.exit(0);
console.log('\n`concurrentTasksPerWorker` (no-op tasks/s and CPU speedup, medians):\n');
console.log('| calls in flight per worker | no-op tasks/s | CPU speedup |');
console.log('| ---: | ---: | ---: |');
for (const perWorker of [1, 2, 4, 8, 16, 32]) {
  const { medians } = medianOverProcesses(script, runs, { BENCH_SUBJECT: 'hybrid', BENCH_PER_WORKER: String(perWorker), BENCH_ROUND_TRIPS: '10' });
  console.log(`| ${perWorker} | ${medians.noopPerSec.toFixed(0)} | ${medians.cpuSpeedup.toFixed(2)} |`);
}
