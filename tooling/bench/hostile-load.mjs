// pnpm --filter @hybridcompute/bench bench:hostile: the server under hostile clients, each
// scenario against a fresh server (defaults: 8 MiB buffered per connection, 30 s timeouts).
// Prints a Markdown table for BENCHMARKS.md, "Under hostile load".
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { WebSocket } from 'ws';

const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startServer(options = {}) {
  const child = fork(fileURLToPath(new URL('./hostile-server.mjs', import.meta.url)), { env: { ...process.env, SERVER_OPTIONS: JSON.stringify(options) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ port }] = await once(child, 'message');
  const memory = async () => {
    child.send('memory');
    const [figures] = await once(child, 'message');
    return figures;
  };
  return { port, memory, stop: () => child.kill('SIGTERM') };
}

/** Waits until the server has made no new 1 MiB answer for `quietMs`: it has stopped reading. */
async function untilQuiet(server, quietMs = 2_000) {
  let last = -1;
  for (;;) {
    const figures = await server.memory();
    if (figures.bigAnswers === last) return figures;
    last = figures.bigAnswers;
    await pause(quietMs);
  }
}

function rawUpgrade(port) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  socket.write('GET /compute HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
  return socket;
}

/** A masked text frame header announcing 512 KiB, and the first bytes of its payload. */
const halfFrame = Buffer.concat([Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0, 8, 0, 0]), Buffer.alloc(4), Buffer.from('{"id":1,"task"')]);

const rows = [];

{
  const server = await startServer();
  const before = await server.memory();
  const client = new WebSocket(`ws://127.0.0.1:${server.port}/compute`);
  await once(client, 'open');
  client.pause();
  for (let id = 0; id < 3_000; id++) client.send(JSON.stringify({ id, task: 'big' }));
  const after = await untilQuiet(server);
  rows.push(['1 WebSocket client sends 3,000 calls for 1 MiB answers, reads none', mib(before.heapUsed + before.arrayBuffers), mib(after.heapUsed + after.arrayBuffers), `${after.bigAnswers} of 3,000 answers made, then the socket is paused`]);
  client.terminate();
  server.stop();
}

{
  const server = await startServer();
  const before = await server.memory();
  const body = '{"task":"big"}';
  const one = `POST /compute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  const sockets = Array.from({ length: 10 }, () => {
    const socket = connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.pause();
    socket.write(one.repeat(500));
    return socket;
  });
  const after = await untilQuiet(server);
  rows.push(['10 HTTP clients pipeline 500 calls each for 1 MiB answers, read none', mib(before.heapUsed + before.arrayBuffers), mib(after.heapUsed + after.arrayBuffers), `${after.bigAnswers} of 5,000 answers made`]);
  for (const socket of sockets) socket.destroy();
  server.stop();
}

{
  const server = await startServer();
  const socket = rawUpgrade(server.port);
  await once(socket, 'data');
  const started = performance.now();
  socket.write(halfFrame);
  const trickle = setInterval(() => socket.write('x'), 1_000);
  await once(socket, 'close');
  clearInterval(trickle);
  rows.push(['a WebSocket frame announcing 512 KiB, then 1 byte a second', '', '', `dropped after ${((performance.now() - started) / 1000).toFixed(1)} s (frameTimeout 30 s)`]);
  server.stop();
}

async function throughput(port, transport, calls = 10_000, inFlight = 64) {
  const remote = createRemoteBackend({ endpoint: `http://127.0.0.1:${port}/compute`, transport, connections: inFlight });
  for (let index = 0; index < 500; index++) await remote.runTask('noop', index);
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < calls) await remote.runTask('noop', next++);
  }));
  const perSecond = calls / ((performance.now() - startedAt) / 1000);
  await remote.close();
  return perSecond;
}

{
  const server = await startServer();
  const quiet = { http: await throughput(server.port, 'http'), websocket: await throughput(server.port, 'websocket') };
  // 200 hostile connections: 100 half-sent frames trickling, 80 silent WebSockets, 20 clients flooding 1 MiB calls they never read.
  const hostile = [];
  for (let index = 0; index < 100; index++) {
    const socket = rawUpgrade(server.port);
    socket.once('data', () => socket.write(halfFrame));
    hostile.push(socket);
  }
  for (let index = 0; index < 80; index++) hostile.push(rawUpgrade(server.port));
  for (let index = 0; index < 20; index++) {
    const client = new WebSocket(`ws://127.0.0.1:${server.port}/compute`);
    client.on('error', () => {});
    client.once('open', () => {
      client.pause();
      for (let id = 0; id < 500; id++) client.send(JSON.stringify({ id, task: 'big' }));
    });
    hostile.push(client);
  }
  const trickle = setInterval(() => {
    for (const socket of hostile.slice(0, 100)) socket.write('x');
  }, 1_000);
  await untilQuiet(server);
  const loaded = { http: await throughput(server.port, 'http'), websocket: await throughput(server.port, 'websocket') };
  const memory = await server.memory();
  clearInterval(trickle);
  for (const socket of hostile) (socket.terminate ?? socket.destroy).call(socket);
  for (const transport of ['http', 'websocket']) {
    rows.push([`well-behaved client over ${transport}, 64 in flight: calls/s with 200 hostile connections vs none`, '', '', `${loaded[transport].toFixed(0)} vs ${quiet[transport].toFixed(0)} (${(loaded[transport] / quiet[transport]).toFixed(2)}x)`]);
  }
  rows.push(['server memory with the 200 hostile connections open', '', mib(memory.heapUsed + memory.arrayBuffers), `rss ${mib(memory.rss)}, ${memory.connections} connections`]);
  server.stop();
}

console.log(`Node ${process.version}. Server in a child process with the defaults; memory is its heap + Buffers after a GC.\n`);
console.log('| scenario | server memory before | after | outcome |');
console.log('| --- | ---: | ---: | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
process.exit(0);
