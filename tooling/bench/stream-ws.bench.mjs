// pnpm --filter @hybridcompute/bench bench:stream:ws: small chunks per second through
// `remote.streamTask` over WebSocket, against a bare `ws` server sending the same chunks as
// fast as its socket takes them, in the same run; and the rate of a streamed HTTP (NDJSON /
// MessagePack sequence) answer. The servers run in a child process; prints a Markdown table.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { WebSocket } from 'ws';
import { runtimeLabel } from './runtime-label.mjs';

const chunks = Number(process.env.BENCH_CHUNKS ?? 50_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

const child = spawn(process.execPath, [fileURLToPath(new URL('./stream-servers.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(createInterface({ input: child.stdout }), 'line');
const ports = JSON.parse(line);

async function bareRate() {
  const socket = new WebSocket(`ws://127.0.0.1:${ports.bare}/`);
  await once(socket, 'open');
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    let received = 0;
    const started = performance.now();
    const done = new Promise((resolve) => {
      socket.on('message', function onMessage(data) {
        const frame = JSON.parse(String(data));
        if (frame.end === true) {
          socket.off('message', onMessage);
          resolve();
        } else received++;
      });
    });
    socket.send(JSON.stringify({ id: round, n: chunks }));
    await done;
    if (received !== chunks) throw new Error(`bare: ${received} of ${chunks} chunks`);
    samples.push(chunks / ((performance.now() - started) / 1000));
  }
  socket.close();
  return samples;
}

async function oursRate(options, streamOptions = {}) {
  const remote = createRemoteBackend({ endpoint: `http://127.0.0.1:${ports.ours}/compute`, ...options });
  await remote.connect();
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    let received = 0;
    const started = performance.now();
    for await (const _chunk of remote.streamTask('count', chunks, streamOptions)) received++;
    if (received !== chunks) throw new Error(`ours: ${received} of ${chunks} chunks`);
    samples.push(chunks / ((performance.now() - started) / 1000));
  }
  await remote.close();
  return samples;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const rows = [];
const bare = await bareRate();
rows.push(['bare `ws`: N JSON frames sent as fast as the socket takes them (floor)', bare]);
rows.push(["ours: `streamTask` over WebSocket, JSON, highWaterMark 16 (default)", await oursRate({ transport: 'websocket', encoding: 'json' })]);
rows.push(["ours: `streamTask` over WebSocket, MessagePack, highWaterMark 16", await oursRate({ transport: 'websocket' })]);
rows.push(["ours: `streamTask` over WebSocket, JSON, highWaterMark 256", await oursRate({ transport: 'websocket', encoding: 'json' }, { highWaterMark: 256 })]);
rows.push(['ours: `streamTask` over HTTP, NDJSON answer', await oursRate({ transport: 'http', encoding: 'json' })]);
rows.push(['ours: `streamTask` over HTTP, MessagePack-sequence answer', await oursRate({ transport: 'http' })]);
child.kill('SIGTERM');

console.log(`${runtimeLabel()}; ${rounds} rounds of one stream of ${chunks} small chunks ({ index, value }), client and servers in two processes.\n`);
console.log('| path | chunks/s (median) | range | x bare ws |');
console.log('| --- | ---: | ---: | ---: |');
const floor = median(bare);
for (const [label, samples] of rows) {
  console.log(`| ${label} | ${median(samples).toFixed(0)} | ${Math.min(...samples).toFixed(0)}–${Math.max(...samples).toFixed(0)} | ${(median(samples) / floor).toFixed(2)} |`);
}
console.log(`\nTarget: streamTask over WebSocket >= 0.5x bare ws (${(median(rows[1][1]) / floor).toFixed(2)} at the default highWaterMark).`);
