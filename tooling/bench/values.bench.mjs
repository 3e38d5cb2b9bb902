// pnpm --filter @hybridcompute/bench bench:values: MessagePack against JSON over HTTP and
// WebSocket (a no-op call, and a 1 MiB Float64Array echoed), then the cost of a task schema
// on the local backend; medians of several processes, as a Markdown table.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const { medians, samples } = medianOverProcesses(fileURLToPath(new URL('./values-throughput.mjs', import.meta.url)), runs);
console.log(`Node ${process.version}; ${runs} processes, each the median of ${process.env.BENCH_ROUNDS ?? 5} rounds.\n`);
console.log('| call | transport | JSON calls/s | MessagePack calls/s | MessagePack / JSON | range of the ratio |');
console.log('| --- | --- | ---: | ---: | ---: | ---: |');
for (const call of ['noop', '1 MiB']) {
  for (const transport of ['http', 'websocket']) {
    const json = `${call} ${transport}-json`;
    const msgpack = `${call} ${transport}-msgpack`;
    const ratios = samples.map((sample) => sample[msgpack] / sample[json]);
    console.log(
      `| ${call === 'noop' ? 'no-op' : '1 MiB Float64Array echo'} | ${transport} | ${medians[json].toFixed(0)} | ${medians[msgpack].toFixed(0)} | ${(medians[msgpack] / medians[json]).toFixed(2)} | ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)} |`,
    );
  }
}
console.log('');
console.log(execFileSync(process.execPath, [fileURLToPath(new URL('./schema-cost.mjs', import.meta.url))], { encoding: 'utf8' }).trimEnd());
