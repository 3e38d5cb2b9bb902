// pnpm --filter @hybridcompute/bench bench:server-observability: what metrics and the
// access log add per call on the server: no-op calls over HTTP, 64 in flight, as the
// median of several processes; prints a Markdown table.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';
import { runtimeLabel } from './runtime-label.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = fileURLToPath(new URL('./server-observability.mjs', import.meta.url));
const { medians, samples } = medianOverProcesses(script, runs);

const labels = {
  plain: 'server without metrics or access log (the default)',
  metrics: '`metrics: true`',
  logged: '`logger` (a pino-shaped logger that formats each line and drops it)',
  both: '`metrics: true` and `logger`',
};
console.log(`${runtimeLabel()}; ${runs} processes, each the median of ${process.env.BENCH_ROUNDS ?? 5} rounds of ${process.env.BENCH_CALLS ?? 10_000} calls, 64 in flight.\n`);
console.log('| server | calls/s (median) | range over runs | x default | added µs per call |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [key, label] of Object.entries(labels)) {
  const values = samples.map((sample) => sample[key]);
  const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  // Throughput is bounded by the client and the server together: the difference of inverse rates is the added time per call.
  const addedMicros = (1 / medians[key] - 1 / medians.plain) * 1e6;
  console.log(`| ${label} | ${medians[key].toFixed(0)} | ${range} | ${(medians[key] / medians.plain).toFixed(2)} | ${key === 'plain' ? '' : addedMicros.toFixed(2)} |`);
}
