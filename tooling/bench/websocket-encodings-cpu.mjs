// The WebSocket no-op of bench:values, JSON against MessagePack in one process, with the CPU
// each call cost the client (process.cpuUsage) and the server (/proc/<pid>/stat, Linux; 10 ms
// ticks). ROOT is a repository root with its packages built (default: this one); 64 in flight,
// BENCH_ROUNDS interleaved rounds (default 6) of BENCH_CALLS calls (default 20,000) per encoding.
//   node tooling/bench/websocket-encodings-cpu.mjs [ROOT]
// Prints one JSON line: medians of calls/s and of µs of CPU a call, and the ratio per round.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.argv[2] ?? fileURLToPath(new URL('../..', import.meta.url));
const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const calls = Number(process.env.BENCH_CALLS ?? 20_000);
const { createRemoteBackend } = await import(pathToFileURL(`${root}/packages/backend-remote/dist/index.js`).href);
const child = spawn(process.execPath, [`${root}/tooling/bench/remote-servers.mjs`], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const endpoint = `http://127.0.0.1:${JSON.parse(String(line)).ours}/compute`;
const encodings = ['json', 'msgpack'];
const backends = {};
for (const encoding of encodings) {
  backends[encoding] = createRemoteBackend({ endpoint, transport: 'websocket', encoding, connections: 64 });
  await backends[encoding].connect();
}

const serverCpuUs = () => {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

async function round(encoding, count) {
  let next = 0;
  const clientBefore = process.cpuUsage();
  const serverBefore = serverCpuUs();
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next++ < count) await backends[encoding].runTask('noop', 1);
    }),
  );
  const perSec = count / ((performance.now() - startedAt) / 1000);
  const client = process.cpuUsage(clientBefore);
  return { perSec, clientUs: (client.user + client.system) / count, serverUs: (serverCpuUs() - serverBefore) / count };
}

for (const encoding of encodings) await round(encoding, 3_000);
const samples = { json: [], msgpack: [] };
for (let index = 0; index < rounds; index++) {
  for (const encoding of index % 2 === 0 ? encodings : [...encodings].reverse()) samples[encoding].push(await round(encoding, calls));
}
for (const remote of Object.values(backends)) await remote.close();
child.kill('SIGTERM');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const of = (encoding, key) => Number(median(samples[encoding].map((sample) => sample[key])).toFixed(2));
console.log(
  JSON.stringify({
    perSec: { json: Math.round(of('json', 'perSec')), msgpack: Math.round(of('msgpack', 'perSec')) },
    clientUs: { json: of('json', 'clientUs'), msgpack: of('msgpack', 'clientUs') },
    serverUs: { json: of('json', 'serverUs'), msgpack: of('msgpack', 'serverUs') },
    msgpackOverJson: Number((of('msgpack', 'perSec') / of('json', 'perSec')).toFixed(3)),
    perRound: samples.json.map((sample, index) => Number((samples.msgpack[index].perSec / sample.perSec).toFixed(2))),
  }),
);
