// pnpm bench: the router's cost per call against a direct call, as the median
// of several processes; prints a Markdown table for BENCHMARKS.md.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = fileURLToPath(new URL('./router-overhead.mjs', import.meta.url));
const { medians, samples } = medianOverProcesses(script, runs);

const labels = {
  direct: 'direct: `await task.run(n)` (async task)',
  router: "router + local: `await compute.runTask('double', n)`",
  localAlone: "local alone: `await local.runTask('double', n)`",
  routerWithTimeout: 'router + local, `{ timeout }` on every call',
  routerWithHooks: 'router + local, `onTaskStart` and `onTaskSettled` set',
};
console.log(`Node ${process.version}; ${runs} processes, each the median of 11 rounds of 200,000 sequential calls.\n`);
console.log('| path | ns per call (median) | range over runs | x direct |');
console.log('| --- | ---: | ---: | ---: |');
for (const [key, label] of Object.entries(labels)) {
  const values = samples.map((sample) => sample[key]);
  const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  console.log(`| ${label} | ${medians[key].toFixed(0)} | ${range} | ${(medians[key] / medians.direct).toFixed(2)} |`);
}

const parts = medianOverProcesses(fileURLToPath(new URL('./abort-signal-cost.mjs', import.meta.url)), runs).medians;
console.log('\nWhat a deadline is made of (median ns per operation):\n');
console.log('| operation | ns |');
console.log('| --- | ---: |');
console.log(`| \`new AbortController().signal\` | ${parts.createAbortSignal.toFixed(0)} |`);
console.log(`| \`addEventListener\` + \`removeEventListener\` on a long-lived signal | ${parts.addRemoveListener.toFixed(0)} |`);
console.log(`| a new signal with one listener added and removed | ${parts.signalWithFirstListener.toFixed(0)} |`);
console.log(`| \`setTimeout\` + \`clearTimeout\` | ${parts.setClearTimeout.toFixed(0)} |`);
