// Which WebSocket backend-remote should use on Bun: calls per second of a no-op task, 64 in
// flight on loopback, over `ws` (which Bun replaces with its built-in over its native client;
// what backend-remote uses, since it reports the upgrade's headers and status) and over Bun's
// global WebSocket (which reports neither), to the same compute server in a child process.
//   ../../node_modules/.bin/bun bun-websocket-clients.mjs     (BENCH_CALLS, BENCH_ROUNDS as elsewhere)
// Prints JSON: calls per second per client, the median of interleaved rounds.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend, RemoteBackend } from '@hybridcompute/backend-remote';

if (typeof process.versions.bun !== 'string') {
  console.error('bun-websocket-clients.mjs compares the WebSocket clients of Bun: run it with bun');
  process.exit(2);
}
const inFlight = 64;
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const child = spawn(process.execPath, [fileURLToPath(new URL('./remote-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const endpoint = `http://127.0.0.1:${JSON.parse(String(line)).ours}/compute`;

const viaWs = createRemoteBackend({ endpoint, transport: 'websocket' });
// Bun's global WebSocket, as backend-remote used it before (HTTP is not used here).
const viaGlobal = new RemoteBackend(
  { endpoint, transport: 'websocket' },
  {
    createHttpTransport: () => ({ request: () => Promise.reject(new Error('not used')), close: async () => {} }),
    createWebSocket: (url, _token, options) => new globalThis.WebSocket(url, options?.protocols?.length ? [...options.protocols] : undefined),
  },
);
const subjects = { 'ws (Bun built-in)': (n) => viaWs.runTask('noop', n), 'global WebSocket': (n) => viaGlobal.runTask('noop', n) };

let sink = 0;
async function throughput(call, count) {
  let next = 0;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) sink += await call(next++);
    }),
  );
  return count / (Number(process.hrtime.bigint() - startedAt) / 1e9);
}

for (const call of Object.values(subjects)) await throughput(call, 1_000);
const perRound = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(subjects)) perRound[name].push(await throughput(call, calls));
}
const results = {};
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[name] = Math.round(values[Math.floor(values.length / 2)]);
}
if (sink === -1) console.error(sink);
await viaWs.close();
await viaGlobal.close();
child.kill('SIGTERM');
console.log(JSON.stringify({ runtime: `bun ${process.versions.bun}`, calls, rounds, inFlight, ...results }));
