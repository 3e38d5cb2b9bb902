// One run: calls per second of a no-op task with 64 calls in flight on loopback,
// for our HTTP client and server, raw undici request() to a bare node:http handler,
// global fetch per call (as @hybrid-compute/remote does) and our WebSocket transport.
// The servers run in a child process; prints JSON (calls per second per subject).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { Pool } from 'undici';

const inFlight = 64;
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const child = spawn(process.execPath, [fileURLToPath(new URL('./remote-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const bareUrl = `http://127.0.0.1:${ports.bare}`;
const oursUrl = `http://127.0.0.1:${ports.ours}/compute`;

// Bun hands out its own partial undici for `import 'undici'` (as backend-remote, told by process.versions.bun).
const undiciIsPartial = typeof process.versions.bun === 'string';
const rawPool = new Pool(bareUrl, { connections: inFlight, pipelining: 1 });
const http = createRemoteBackend({ endpoint: oursUrl, connections: inFlight });
const websocket = createRemoteBackend({ endpoint: oursUrl, transport: 'websocket' });

let sink = 0;
const subjects = {
  ours: (n) => http.runTask('noop', n),
  raw: undiciIsPartial
    ? // Bun's undici is a partial copy (no response body stream): there the floor is Bun's own fetch to the bare handler.
      async (n) => {
        const response = await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: n }) });
        return (await response.json()).result;
      }
    : async (n) => {
        const response = await rawPool.request({ path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: n }) });
        return (await response.body.json()).result;
      },
  fetch: async (n) => {
    const response = await fetch(oursUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: n }) });
    return (await response.json()).result;
  },
  websocket: (n) => websocket.runTask('noop', n),
};

/** `count` calls with `inFlight` of them running at once; resolves with calls per second. */
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

const results = {};
for (const call of Object.values(subjects)) await throughput(call, 2_000);
// Rounds interleave the subjects, so a change in the machine's load falls on all of them alike.
const perRound = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(subjects)) perRound[name].push(await throughput(call, calls));
}
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[name] = values[Math.floor(values.length / 2)];
}
if (sink === -1) console.error(sink);
await http.close();
await websocket.close();
if (!undiciIsPartial) await rawPool.close();
child.kill('SIGTERM');
console.log(JSON.stringify(results));
