// One run: calls per second of a no-op task, 64 in flight on loopback over HTTP,
// to a compute server without metrics or an access log, with metrics, with the
// log, and with both. Prints JSON (calls per second per variant).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend } from '@hybridcompute/backend-remote';

const inFlight = 64;
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const child = spawn(process.execPath, [fileURLToPath(new URL('./server-observability-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const clients = Object.fromEntries(
  Object.entries(ports).map(([name, port]) => [name, createRemoteBackend({ endpoint: `http://127.0.0.1:${port}/compute`, connections: inFlight })]),
);

let sink = 0;
async function throughput(client, count) {
  let next = 0;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) sink += await client.runTask('noop', next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - startedAt) / 1e9);
}

for (const client of Object.values(clients)) await throughput(client, 2_000);
// Rounds interleave the variants, so a change in the machine's load falls on all of them alike.
const perRound = Object.fromEntries(Object.keys(clients).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, client] of Object.entries(clients)) perRound[name].push(await throughput(client, calls));
}
const results = {};
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[name] = values[Math.floor(values.length / 2)];
}
if (sink === -1) console.error(sink);
await Promise.all(Object.values(clients).map((client) => client.close()));
child.kill('SIGTERM');
console.log(JSON.stringify(results));
