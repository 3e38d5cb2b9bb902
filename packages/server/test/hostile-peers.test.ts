import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { defineTask } from '@hybridcompute/core';
import { collectGarbage } from '@hybridcompute/test-support/memory';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { maxWaitingPerConnection } from '../src/answer-backpressure.js';
import { runsOnBun } from '../src/runs-on-bun.js';
import { createComputeServer, type ComputeServer, type ComputeServerOptions } from '../src/index.js';
import { closeClient, post } from './http-client.js';
import { rawWebSocket, maskedFrameHeader } from './raw-web-socket.js';

const answerBytes = 64 * 1024;
const answer = 'x'.repeat(answerBytes);
let runs = 0;
const big = defineTask('big', () => {
  runs++;
  return answer;
});
let release: () => void = () => undefined;
const held = defineTask('held', () => new Promise<string>((resolve) => (release = () => resolve('released'))));
const echo = defineTask('echo', (value: unknown) => value);
const tasks = [big, held, echo];

const servers: ComputeServer[] = [];
async function start(options: Omit<ComputeServerOptions, 'tasks'>): Promise<{ server: ComputeServer; port: number; url: string; ws: string }> {
  const server = createComputeServer({ tasks, ...options });
  servers.push(server);
  const { url, port } = await server.listen(0, '127.0.0.1');
  return { server, port, url, ws: url.replace('http', 'ws') };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(closeClient);

/** This process's heap plus Buffers: answers waiting in a socket are Buffers. */
function memory(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** The server side of each connection, to see whether the server stopped reading it. */
function serverSockets(server: ComputeServer): Socket[] {
  const sockets: Socket[] = [];
  server.httpServer.on('connection', (socket: Socket) => sockets.push(socket));
  return sockets;
}

/**
 * The server side of each connection and those the server has paused: the 'pause' event, not
 * isPaused(), because Bun's and Deno's node:http resume a connection's socket themselves as
 * each response ends (the server's own count of what waits still holds the calls back).
 */
function pausedServerSockets(server: ComputeServer): { sockets: Socket[]; paused: Set<Socket> } {
  const sockets: Socket[] = [];
  const paused = new Set<Socket>();
  server.httpServer.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.once('pause', () => paused.add(socket));
  });
  return { sockets, paused };
}

describe('backpressure on the way out', () => {
  it('stops reading the frames of a WebSocket client that reads no answers, and serves it all once it reads again', async () => {
    const { server, ws } = await start({ maxBufferedBytesPerConnection: 256 * 1024, bufferedTimeout: 60_000, maxConcurrency: 4096 });
    const sockets = serverSockets(server);
    const before = memory();
    runs = 0;
    const client = new WebSocket(ws);
    await once(client, 'open');
    const answers: number[] = [];
    client.on('message', (data) => answers.push((JSON.parse(String(data)) as { id: number }).id));
    client.pause();
    const calls = 2_000;
    for (let id = 0; id < calls; id++) client.send(JSON.stringify({ id, task: 'big' }));
    // The server pauses the socket once the answers it cannot send pass the bound.
    await expect.poll(() => sockets[0]?.isPaused(), { timeout: 20_000 }).toBe(true);
    const ranWhilePaused = runs;
    // What the kernel's socket buffers took, plus the bound and the few calls estimated in flight: far from all of them.
    expect(ranWhilePaused).toBeLessThan(calls / 2);
    expect(memory() - before).toBeLessThan(48 * 1024 * 1024);
    client.resume();
    await expect.poll(() => answers.length, { timeout: 60_000 }).toBe(calls);
    expect(new Set(answers).size).toBe(calls);
    expect(runs).toBe(calls);
    client.close();
  });

  it('closes a WebSocket that stays over the bound for bufferedTimeout', async () => {
    const { server, ws } = await start({ maxBufferedBytesPerConnection: 128 * 1024, bufferedTimeout: 300 });
    const sockets = serverSockets(server);
    runs = 0;
    const client = new WebSocket(ws);
    client.on('error', () => {});
    await once(client, 'open');
    client.pause();
    // A paused client would not notice the server's close: watch the server's side of the socket.
    const dropped = once(sockets[0] as Socket, 'close');
    for (let id = 0; id < 3_000; id++) client.send(JSON.stringify({ id, task: 'big' }));
    await dropped;
    expect(runs).toBeLessThan(1_500);
    await expect.poll(() => server.openConnections).toBe(0);
    client.terminate();
  });

  it('stops parsing the pipelined requests of 10 HTTP clients that never read, within a bounded memory, and drops them', async () => {
    const { server, port } = await start({ maxBufferedBytesPerConnection: 256 * 1024, bufferedTimeout: 1_000, maxConcurrency: 4096 });
    const { sockets, paused } = pausedServerSockets(server);
    const before = memory();
    runs = 0;
    const body = '{"task":"big"}';
    const one = `POST /compute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const clients = Array.from({ length: 10 }, () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.pause();
      socket.write(one.repeat(500));
      return socket;
    });
    await expect.poll(() => sockets.length === 10 && sockets.every((socket) => paused.has(socket)), { timeout: 20_000 }).toBe(true);
    const ranWhilePaused = runs;
    expect(ranWhilePaused).toBeLessThan(2_500);
    expect(memory() - before).toBeLessThan(96 * 1024 * 1024);
    // The clients read nothing, so they would not notice the close: watch the server's side.
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    expect(runs).toBe(ranWhilePaused);
    await expect.poll(() => server.openConnections).toBe(0);
    for (const socket of clients) socket.destroy();
  });

  it('resumes a pipelining HTTP client once it reads, answering every request in order', async () => {
    const { server, port } = await start({ maxBufferedBytesPerConnection: 128 * 1024, bufferedTimeout: 60_000 });
    const { sockets, paused } = pausedServerSockets(server);
    runs = 0;
    const requests = 300;
    const client = connect(port, '127.0.0.1');
    client.pause();
    let head = '';
    for (let index = 0; index < requests; index++) {
      const body = index === requests - 1 ? '{"task":"echo","input":"last"}' : '{"task":"big"}';
      head += `POST /compute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    }
    client.write(head);
    await expect.poll(() => sockets[0] !== undefined && paused.has(sockets[0]), { timeout: 20_000 }).toBe(true);
    expect(runs).toBeLessThan(requests - 1);
    let received = '';
    client.setEncoding('latin1');
    client.on('data', (chunk: string) => (received += chunk.length > 200 ? chunk.replaceAll('x', '') : chunk));
    client.resume();
    await expect.poll(() => received.endsWith('{"result":"last"}'), { timeout: 60_000 }).toBe(true);
    expect(received.split('HTTP/1.1 200 OK').length - 1).toBe(requests);
    expect(runs).toBe(requests - 1);
    client.destroy();
  });

  // Node and Bun stop parsing a paused connection; Deno's node:http does not, and there the cap on
  // waiting requests is what drops this client (without it the server would hold all 30,000).
  it(`holds at most ${maxWaitingPerConnection} waiting requests of a client that pipelines 30,000 without reading, and drops it`, async () => {
    const { server, port } = await start({ maxBufferedBytesPerConnection: 128 * 1024, bufferedTimeout: 1_000 });
    const { sockets } = pausedServerSockets(server);
    let parsed = 0;
    server.httpServer.on('request', () => parsed++);
    const before = memory();
    runs = 0;
    const body = '{"task":"big"}';
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.pause();
    client.write(`POST /compute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`.repeat(30_000));
    await expect.poll(() => sockets.length).toBe(1);
    const socket = sockets[0] as Socket;
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    expect(parsed).toBeLessThan(maxWaitingPerConnection + 1_000);
    expect(runs).toBeLessThan(100);
    expect(memory() - before).toBeLessThan(64 * 1024 * 1024);
    await expect.poll(() => server.openConnections).toBe(0);
    client.destroy();
  });
});

describe('WebSocket timeouts', () => {
  // Bun's WebSocket server reads the frames itself: there frameTimeout is refused, and the heartbeat
  // drops the peer instead (stuck mid-frame, it cannot answer a ping).
  it('drops a socket whose frame has started and does not complete within frameTimeout (on Bun: two heartbeats), however it trickles', async () => {
    if (runsOnBun) expect(() => createComputeServer({ tasks, frameTimeout: 200 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('Bun') }));
    const { port, server } = await start(runsOnBun ? { idleTimeout: 60_000, heartbeatInterval: 100 } : { frameTimeout: 200, idleTimeout: 60_000, heartbeatInterval: 60_000 });
    const { socket } = await rawWebSocket(port, '/compute');
    // Not once(): a reset ('error' before 'close') is as good a drop as a FIN.
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const started = performance.now();
    // Announces 512 KiB, sends a little, then a byte now and then: each byte must not extend the deadline.
    socket.write(Buffer.concat([maskedFrameHeader(512 * 1024), Buffer.from('{"id":1,')]));
    const trickle = setInterval(() => socket.write('x'), 50);
    await closed;
    clearInterval(trickle);
    const elapsed = performance.now() - started;
    // Not before the deadline; a heartbeat, server-wide, may fall at any point of the first interval.
    if (!runsOnBun) expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(5_000);
    await expect.poll(() => server.openConnections).toBe(0);
  });

  it('keeps a socket whose messages complete, however long it lives', async () => {
    const { ws } = await start({ ...(runsOnBun ? {} : { frameTimeout: 100 }), heartbeatInterval: 60_000 });
    const client = new WebSocket(ws);
    await once(client, 'open');
    const answers: unknown[] = [];
    client.on('message', (data) => answers.push(JSON.parse(String(data))));
    // Each answer comes back before the next call: the socket lives well past frameTimeout.
    const started = performance.now();
    for (let id = 0; performance.now() - started < 400; id++) {
      client.send(JSON.stringify({ id, task: 'echo', input: id }));
      await expect.poll(() => answers.length).toBe(id + 1);
    }
    expect(client.readyState).toBe(WebSocket.OPEN);
    client.close();
  });

  it('closes a socket with no calls after idleTimeout with 1000 idle, but not while a call runs', async () => {
    const { ws } = await start({ idleTimeout: 150, heartbeatInterval: 40 });
    const client = new WebSocket(ws);
    await once(client, 'open');
    let pings = 0;
    client.on('ping', () => pings++);
    const frames: unknown[] = [];
    client.on('message', (data) => frames.push(JSON.parse(String(data))));
    const closed = once(client, 'close');
    client.send(JSON.stringify({ id: 1, task: 'held' }));
    // Ten heartbeats is over twice the idle timeout: the running call keeps the socket.
    await expect.poll(() => pings, { timeout: 10_000 }).toBeGreaterThanOrEqual(10);
    expect(client.readyState).toBe(WebSocket.OPEN);
    release();
    const [code, reason] = (await closed) as [number, Buffer];
    expect(frames).toEqual([{ id: 1, result: 'released' }]);
    expect(code).toBe(1000);
    expect(String(reason)).toBe('idle');
  });

  it('drops a peer that does not answer pings, and keeps one that does', async () => {
    const { ws } = await start({ heartbeatInterval: 50, idleTimeout: 60_000 });
    const deaf = new WebSocket(ws, { autoPong: false });
    const alive = new WebSocket(ws);
    await Promise.all([once(deaf, 'open'), once(alive, 'open')]);
    let pings = 0;
    alive.on('ping', () => pings++);
    const [code] = await once(deaf, 'close');
    expect(code).toBe(1006);
    await expect.poll(() => pings, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    expect(alive.readyState).toBe(WebSocket.OPEN);
    alive.close();
  });
});

describe('connection limits', () => {
  async function upgradeStatus(target: string, localAddress = '127.0.0.1'): Promise<{ status: number; socket: WebSocket }> {
    const socket = new WebSocket(target, { localAddress });
    socket.on('error', () => {});
    const status = await Promise.race([
      once(socket, 'open').then(() => 101),
      once(socket, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
    ]);
    return { status, socket };
  }

  it('refuses connections past maxConnections with 503, on upgrade and over HTTP, and takes them again once some close', async () => {
    const { server, ws, url } = await start({ maxConnections: 2 });
    const first = await upgradeStatus(ws);
    const second = await upgradeStatus(ws);
    expect([first.status, second.status]).toEqual([101, 101]);
    expect((await upgradeStatus(ws)).status).toBe(503);
    const refused = await post(url, { task: 'echo', input: 1 });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toMatchObject({ code: 'BACKEND_UNAVAILABLE', error: expect.stringContaining('2 connections') });
    first.socket.close();
    await expect.poll(() => server.openConnections).toBe(1);
    expect((await post(url, { task: 'echo', input: 2 })).json).toEqual({ result: 2 });
    second.socket.close();
  });

  it('refuses connections past maxConnectionsPerAddress from that address only', async () => {
    const { ws } = await start({ maxConnectionsPerAddress: 1 });
    const first = await upgradeStatus(ws, '127.0.0.1');
    expect(first.status).toBe(101);
    expect((await upgradeStatus(ws, '127.0.0.1')).status).toBe(503);
    const other = await upgradeStatus(ws, '127.0.0.2');
    expect(other.status).toBe(101);
    first.socket.close();
    other.socket.close();
  });
});
