// pnpm --filter @hybridcompute/bench bench:remote: calls per second of a no-op task,
// 64 in flight on loopback, as the median of several processes; prints a Markdown table.
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';
import { runtimeLabel } from './runtime-label.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const script = fileURLToPath(new URL('./remote-throughput.mjs', import.meta.url));
const { medians, samples } = medianOverProcesses(script, runs);

const labels = {
  raw: 'raw undici `request()` to a bare node:http JSON handler (floor)',
  ours: 'ours over HTTP: `remote.runTask` to `createComputeServer`',
  fetch: 'global `fetch` per call to `createComputeServer`',
  websocket: "ours over WebSocket: `transport: 'websocket'`",
};
console.log(`${runtimeLabel()}; ${runs} processes, each the median of ${process.env.BENCH_ROUNDS ?? 5} rounds of ${process.env.BENCH_CALLS ?? 10_000} calls, 64 in flight.\n`);
console.log('| path | calls/s (median) | range over runs | x raw | x fetch |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [key, label] of Object.entries(labels)) {
  const values = samples.map((sample) => sample[key]);
  const range = `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
  console.log(`| ${label} | ${medians[key].toFixed(0)} | ${range} | ${(medians[key] / medians.raw).toFixed(2)} | ${(medians[key] / medians.fetch).toFixed(2)} |`);
}
console.log(`\nTargets: HTTP >= 0.8x raw (${(medians.ours / medians.raw).toFixed(2)}), >= 3x fetch (${(medians.ours / medians.fetch).toFixed(2)}), WebSocket >= HTTP (${(medians.websocket / medians.ours).toFixed(2)}x).`);
