// One run of bench:values: calls per second in each encoding, over HTTP and WebSocket, of
// (a) the no-op call and (b) an echo of a 1 MiB Float64Array (as JSON it can only travel as an
// array of numbers: that is what a JSON caller would have to send). Prints JSON.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend } from '@hybridcompute/backend-remote';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const child = spawn(process.execPath, [fileURLToPath(new URL('./remote-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const url = `http://127.0.0.1:${JSON.parse(String(line)).ours}/compute`;

const backends = {};
for (const transport of ['http', 'websocket']) {
  for (const encoding of ['json', 'msgpack']) {
    const remote = createRemoteBackend({ endpoint: url, transport, encoding, connections: 64 });
    await remote.connect();
    backends[`${transport}-${encoding}`] = remote;
  }
}

const floats = new Float64Array(128 * 1024).map((_, index) => Math.sin(index) * 1e6);
const asNumbers = Array.from(floats);

async function throughput(call, count, inFlight) {
  let next = 0;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < count) await call();
    }),
  );
  return count / (Number(process.hrtime.bigint() - startedAt) / 1e9);
}

const subjects = {};
for (const [name, remote] of Object.entries(backends)) {
  subjects[`noop ${name}`] = { call: () => remote.runTask('noop', 1), count: Number(process.env.BENCH_CALLS ?? 10_000), inFlight: 64 };
  const big = name.endsWith('json') ? asNumbers : floats;
  subjects[`1 MiB ${name}`] = { call: () => remote.runTask('noop', big), count: Number(process.env.BENCH_BIG_CALLS ?? 60), inFlight: 4 };
}

// Warm-up: every path, a few calls each.
for (const { call, inFlight } of Object.values(subjects)) await throughput(call, 30, inFlight);
const perRound = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, { call, count, inFlight }] of Object.entries(subjects)) perRound[name].push(await throughput(call, count, inFlight));
}
const results = {};
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[name] = values[Math.floor(values.length / 2)];
}
for (const remote of Object.values(backends)) await remote.close();
child.kill('SIGTERM');
console.log(JSON.stringify(results));
