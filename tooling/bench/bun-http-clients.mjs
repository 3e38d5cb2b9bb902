// Which HTTP client backend-remote should use on Bun, whose `undici` is a partial copy: calls
// per second of a no-op POST, 64 in flight on loopback, through each client Bun offers, to the
// same bare node:http JSON handler (in a child process, on Bun too). Run with Bun:
//   ../../node_modules/.bin/bun bun-http-clients.mjs       (BENCH_CALLS, BENCH_ROUNDS as elsewhere)
// Prints JSON: calls per second per client, the median of the rounds.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

if (typeof process.versions.bun !== 'string') {
  console.error('bun-http-clients.mjs compares the HTTP clients of Bun: run it with bun');
  process.exit(2);
}
const inFlight = 64;
const calls = Number(process.env.BENCH_CALLS ?? 10_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const child = spawn(process.execPath, [fileURLToPath(new URL('./remote-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const bareUrl = `http://127.0.0.1:${JSON.parse(String(line)).bare}/`;
const { hostname, port } = new URL(bareUrl);
const body = (n) => JSON.stringify({ task: 'noop', input: n });

const agent = new Agent({ keepAlive: true, maxSockets: inFlight });
const pool = new Pool(bareUrl, { connections: inFlight });
const subjects = {
  // Bun's native client, with its own connection pool: what backend-remote uses on Bun.
  fetch: async (n) => {
    const response = await fetch(bareUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(n) });
    return (await response.json()).result;
  },
  // node:http's client with a keep-alive agent, as Bun implements it.
  'node:http': (n) =>
    new Promise((resolve, reject) => {
      const outgoing = httpRequest({ agent, hostname, port, method: 'POST', path: '/', headers: { 'content-type': 'application/json' } }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()).result));
        response.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(body(n));
    }),
  // Bun's built-in `undici`: `Pool.request` exists, its answer's body is a web stream-less stand-in.
  'undici (Bun built-in)': async (n) => {
    const response = await pool.request({ path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: body(n) });
    return (await response.body.json()).result;
  },
};

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

const working = {};
for (const [name, call] of Object.entries(subjects)) {
  // A client that fails here is reported, not measured.
  working[name] = await throughput(call, 500).then(
    () => true,
    (error) => (console.error(`${name}: ${error.message}`), false),
  );
}
const perRound = Object.fromEntries(Object.keys(subjects).filter((name) => working[name]).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const name of Object.keys(perRound)) perRound[name].push(await throughput(subjects[name], calls));
}
const results = {};
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[name] = Math.round(values[Math.floor(values.length / 2)]);
}
if (sink === -1) console.error(sink);
agent.destroy();
child.kill('SIGTERM');
console.log(JSON.stringify({ runtime: `bun ${process.versions.bun}`, calls, rounds, inFlight, ...results }));
process.exit(0);
