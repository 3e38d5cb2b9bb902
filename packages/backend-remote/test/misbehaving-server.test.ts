import type { Socket } from 'node:net';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { computeRejectionOf } from '@hybridcompute/backend-conformance';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import type { RemoteBackend } from '../src/index.js';
import { binaryFrameHeader, closedAfterEach, httpServer, rawWebSocketServer, webSocketServer, writeUntilClosed } from './fixtures/misbehaving-servers.js';

// Every bad answer of issue 17, from small real servers that send exactly that answer.
// Each test is bounded in time (vitest's timeout) and in memory (no answer is ever allocated whole).

const { remote, serve } = closedAfterEach();

/** A router that tries the remote first and has the task locally too. */
function routerOver(backend: RemoteBackend) {
  const local = createLocalBackend({ tasks: [defineTask('double', (n: number) => n * 2)] });
  return createHybridCompute({ remote: backend, local }, { order: ['remote', 'local'] });
}

const mebibyte = 1024 * 1024;
// What the server wrote before the client stopped reading: the limit plus socket buffers, never the 600 MB announced.
const writtenBound = 48 * mebibyte;
const announced = 600 * 1000 * 1000;

describe('a misbehaving server over WebSocket', () => {
  it('sends JSON in a binary frame: it is decoded, and the call gets its result', async () => {
    const server = await serve(webSocketServer((socket, frame) => socket.send(Buffer.from(JSON.stringify({ id: frame.id, result: 'from binary' })), { binary: true })));
    await expect(remote({ endpoint: server.url, transport: 'websocket' }).runTask('double', 1)).resolves.toBe('from binary');
  });

  it.each([
    ['text that is not JSON', () => 'this is not JSON'],
    ['a JSON array', () => '[1, 2]'],
    ['a string id', (id: number) => JSON.stringify({ id: String(id), result: 2 })],
    ['{ id: null, error }', () => JSON.stringify({ id: null, error: 'could not read your frame', code: 'INVALID_REQUEST' })],
    ['an answer without an id', () => JSON.stringify({ result: 2 })],
  ])('sends %s: no call is named, so the socket fails and each of its calls rejects BACKEND_UNAVAILABLE', async (_label, answer) => {
    let frames = 0;
    const server = await serve(
      webSocketServer((socket, frame) => {
        frames++;
        // Garbage only once both calls are on the socket: both must settle.
        if (frames === 2) socket.send(answer(frame.id));
      }),
    );
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    const calls = [backend.runTask('double', 1), backend.runTask('double', 2)].map((call) => computeRejectionOf(call));
    for (const error of await Promise.all(calls)) {
      expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'double', backend: 'remote', message: expect.stringContaining('the socket was closed') });
    }
    await expect.poll(() => server.sockets.size).toBe(0);
  });

  it('sends garbage while a router routes: the router falls back to its local backend', async () => {
    const server = await serve(webSocketServer((socket) => socket.send('not JSON')));
    await expect(routerOver(remote({ endpoint: server.url, transport: 'websocket' })).runTask('double', 21)).resolves.toBe(42);
  });

  it("names a call but answers neither result nor a string error: that call's PROTOCOL_ERROR, while the socket serves on", async () => {
    const server = await serve(
      webSocketServer((socket, frame) => {
        socket.send(JSON.stringify(frame.input === 1 ? { id: frame.id, error: { nested: true } } : { id: frame.id, result: (frame.input as number) * 2 }));
      }),
    );
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    expect(await computeRejectionOf(backend.runTask('double', 1))).toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'double', backend: 'remote' });
    await expect(backend.runTask('double', 21)).resolves.toBe(42);
    expect(server.sockets.size).toBe(1);
  });

  it('answers { duplicateId }: that settles nothing, and the call settles with its own answer', async () => {
    const server = await serve(
      webSocketServer((socket, frame) => {
        socket.send(JSON.stringify({ duplicateId: frame.id, error: 'duplicate call id', code: 'INVALID_REQUEST' }));
        socket.send(JSON.stringify({ id: frame.id, result: 'its own answer' }));
      }),
    );
    await expect(remote({ endpoint: server.url, transport: 'websocket' }).runTask('double', 1)).resolves.toBe('its own answer');
  });

  it('announces a 600 MB frame and writes until stopped: refused at its header, the socket closed, the writes bounded', async () => {
    let written: Promise<number> | undefined;
    const server = await serve(
      rawWebSocketServer((socket: Socket) => {
        // Once the call arrives: a frame header announcing 600 MB, then bytes for as long as the client reads.
        socket.once('data', () => {
          socket.write(binaryFrameHeader(announced));
          written = writeUntilClosed(socket, Buffer.alloc(mebibyte, 0x20));
        });
      }),
    );
    const backend = remote({ endpoint: server.url, transport: 'websocket', maxResponseBytes: mebibyte });
    const error = await computeRejectionOf(backend.runTask('double', 1));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'double', message: expect.stringContaining('maxResponseBytes') });
    // Wrapped: expect.poll would await a promise itself.
    await expect.poll(() => ({ started: written !== undefined })).toEqual({ started: true });
    expect(await written).toBeLessThan(writtenBound);
  });

  it.each([302, 204, 503])('answers the upgrade with HTTP %i: BACKEND_UNAVAILABLE (nothing ran), and a router falls back', async (status) => {
    const server = await serve(httpServer((_request, response) => response.writeHead(404).end()));
    server.server.on('upgrade', (_request, socket: Socket) => {
      socket.end(`HTTP/1.1 ${status} Not Here\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n`);
    });
    const wsUrl = server.url.replace(/^http/, 'ws');
    const error = await computeRejectionOf(remote({ endpoint: wsUrl, transport: 'websocket' }).runTask('double', 1));
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining(`HTTP ${status}`) });
    await expect(routerOver(remote({ endpoint: wsUrl, transport: 'websocket' })).runTask('double', 21)).resolves.toBe(42);
  });

  it('answers the upgrade with 401: UNAUTHORIZED, also for calls inside the reconnect backoff, and a router does not fall back', async () => {
    const server = await serve(httpServer((_request, response) => response.writeHead(404).end()));
    server.server.on('upgrade', (_request, socket: Socket) => socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'));
    const backend = remote({ endpoint: server.url, transport: 'websocket', token: 'wrong' });
    expect(await computeRejectionOf(backend.runTask('double', 1))).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('401') });
    expect(await computeRejectionOf(backend.runTask('double', 2))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await computeRejectionOf(routerOver(remote({ endpoint: server.url, transport: 'websocket', token: 'wrong' })).runTask('double', 3))).toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('stays silent after the upgrade: the deadline ends the call with TASK_TIMEOUT, and the server is told to cancel', async () => {
    const frames: Array<{ id: number; cancel?: boolean }> = [];
    const server = await serve(webSocketServer((_socket, frame) => frames.push(frame)));
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    expect(await computeRejectionOf(backend.runTask('double', 1, { timeout: 100 }))).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'double', backend: 'remote' });
    await expect.poll(() => frames.map((frame) => frame.cancel === true)).toEqual([false, true]);
    expect(frames[1]?.id).toBe(frames[0]?.id);
    expect(backend.load()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('drops the socket mid-call: BACKEND_UNAVAILABLE, and a router falls back', async () => {
    const server = await serve(webSocketServer((socket) => socket.terminate()));
    expect(await computeRejectionOf(remote({ endpoint: server.url, transport: 'websocket' }).runTask('double', 1))).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(routerOver(remote({ endpoint: server.url, transport: 'websocket' })).runTask('double', 21)).resolves.toBe(42);
  });
});

describe('a misbehaving server over HTTP', () => {
  it('answers JSON with a binary content type: it is read', async () => {
    const server = await serve(httpServer((_request, response) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from('{"result":"from bytes"}'))));
    await expect(remote({ endpoint: server.url }).runTask('double', 1)).resolves.toBe('from bytes');
  });

  it.each([
    ['a body that is not JSON', 'this is not JSON'],
    ['a JSON array', '[1, 2]'],
    ['an object without result', '{"id":"1"}'],
    ['an empty body', ''],
  ])('answers 200 with %s: PROTOCOL_ERROR naming the task', async (_label, body) => {
    const server = await serve(httpServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body)));
    expect(await computeRejectionOf(remote({ endpoint: server.url }).runTask('double', 1))).toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'double', backend: 'remote' });
  });

  it('streams a 600 MB body until stopped: PROTOCOL_ERROR at maxResponseBytes, the writes bounded', async () => {
    let written: Promise<number> | undefined;
    const server = await serve(
      httpServer((request, response) => {
        request.resume();
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"result":"');
        written = writeUntilClosed(response, Buffer.alloc(mebibyte, 0x61));
      }),
    );
    const error = await computeRejectionOf(remote({ endpoint: server.url, maxResponseBytes: mebibyte }).runTask('double', 1));
    expect(error).toMatchObject({ code: 'PROTOCOL_ERROR', taskName: 'double', message: expect.stringContaining('maxResponseBytes') });
    // Wrapped: expect.poll would await a promise itself.
    await expect.poll(() => ({ started: written !== undefined })).toEqual({ started: true });
    expect(await written).toBeLessThan(writtenBound);
  });

  it('announces a 600 MB content-length: refused before a byte of the body is read', async () => {
    let written: Promise<number> | undefined;
    const server = await serve(
      httpServer((request, response) => {
        request.resume();
        response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(announced) });
        written = writeUntilClosed(response, Buffer.alloc(mebibyte, 0x61));
      }),
    );
    expect(await computeRejectionOf(remote({ endpoint: server.url }).runTask('double', 1))).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('maxResponseBytes') });
    // Wrapped: expect.poll would await a promise itself.
    await expect.poll(() => ({ started: written !== undefined })).toEqual({ started: true });
    expect(await written).toBeLessThan(writtenBound);
  });

  it('redirects (302): BACKEND_UNAVAILABLE, never TASK_FAILED; a router falls back; connect() says the same', async () => {
    const server = await serve(httpServer((request, response) => {
      request.resume();
      response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
    }));
    const backend = remote({ endpoint: server.url });
    expect(await computeRejectionOf(backend.runTask('double', 1))).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('redirect') });
    await expect(routerOver(remote({ endpoint: server.url })).runTask('double', 21)).resolves.toBe(42);
    const connectError = await computeRejectionOf(backend.connect());
    expect(connectError).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('302') });
  });

  it("answers 204: PROTOCOL_ERROR (the task may have run), the router does not fall back, and connect() never says \"Task '' failed\"", async () => {
    const server = await serve(httpServer((request, response) => {
      request.resume();
      response.writeHead(204).end();
    }));
    const backend = remote({ endpoint: server.url });
    expect(await computeRejectionOf(backend.runTask('double', 1))).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('204') });
    expect(await computeRejectionOf(routerOver(remote({ endpoint: server.url })).runTask('double', 21))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    const connectError = await computeRejectionOf(backend.connect());
    expect(connectError).toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('204') });
    expect(connectError.message).not.toContain("Task ''");
  });

  it('stays silent: the deadline ends the call with TASK_TIMEOUT, and the request is dropped', async () => {
    const requests: Array<Promise<unknown>> = [];
    // 'close', whatever came before it: Bun and Deno also emit ECONNRESET on a socket the client drops, which once() would reject on.
    const server = await serve(httpServer((request) => requests.push(new Promise((closed) => request.socket.once('close', closed)))));
    const backend = remote({ endpoint: server.url });
    expect(await computeRejectionOf(backend.runTask('double', 1, { timeout: 100 }))).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'double', backend: 'remote' });
    await expect.poll(() => requests.length).toBe(1);
    await requests[0];
    // The server may see the socket close before the client's transport has settled the aborted request.
    await expect.poll(() => backend.load()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('drops the connection mid-call: BACKEND_UNAVAILABLE, and a router falls back', async () => {
    const server = await serve(httpServer((request) => request.socket.destroy()));
    expect(await computeRejectionOf(remote({ endpoint: server.url }).runTask('double', 1))).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(routerOver(remote({ endpoint: server.url })).runTask('double', 21)).resolves.toBe(42);
  });
});
