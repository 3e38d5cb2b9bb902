import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchWholeRequest, type WholeRequest } from '../src/dispatch-whole-request.js';
import { FetchHttpTransport } from '../src/fetch-http-transport.js';
import { runtimeRemotePlatform } from '../src/runtime-remote-platform.js';

// Bun hands out its own partial undici (no Pool.destroy, no dispatch handlers of ours), so on Bun
// HTTP goes through fetch and this function is never reached: there, the test checks exactly that.
// Told by the runtime, as the package tells it (bun-remote-platform.ts), not by probing undici's API.
const undiciIsPartial = typeof process.versions.bun === 'string';

// undici's dispatch() with the transport's own handler, against real node:http servers on 127.0.0.1.

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface Served {
  url: URL;
  pool: Pool;
  /** Requests that reached the server, in order. */
  requests: IncomingMessage[];
}

async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void, connections = 4): Promise<Served> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request);
    handle(request, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/compute`);
  const pool = new Pool(url.origin, { connections, pipelining: 1 });
  closers.push(async () => {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  });
  return { url, pool, requests };
}

function request(url: URL, overrides: Partial<WholeRequest> = {}): WholeRequest {
  return {
    url,
    origin: url.origin,
    path: url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"task":"double","input":21}',
    signal: undefined,
    maxResponseBytes: 1024 * 1024,
    failure: (error) => new Error('failed', { cause: error }),
    ...overrides,
  };
}

if (undiciIsPartial) describe('dispatchWholeRequest on a runtime whose undici is partial', () => {
  it('is never reached: the runtime platform sends HTTP through fetch', () => {
    const transport = runtimeRemotePlatform.createHttpTransport({ connections: 1, keepAliveTimeout: 1_000, maxResponseBytes: 1_000 });
    expect(transport).toBeInstanceOf(FetchHttpTransport);
    void transport.close();
  });
});

if (!undiciIsPartial) describe('dispatchWholeRequest', () => {
  it('sends the request and reads the answer whole: status, body, Retry-After and the advertised limit and encodings', async () => {
    let received = '';
    const { url, pool } = await serve((incoming, response) => {
      incoming.setEncoding('utf8');
      incoming.on('data', (chunk: string) => (received += chunk));
      incoming.on('end', () => {
        response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '2', 'x-compute-max-concurrency': '64', 'x-compute-encodings': 'msgpack, json' });
        response.end('{"error":"busy","code":"QUEUE_FULL"}');
      });
    });
    const answer = await dispatchWholeRequest(pool, request(url));
    expect(received).toBe('{"task":"double","input":21}');
    expect(answer).toMatchObject({ status: 503, retryAfter: '2', text: '{"error":"busy","code":"QUEUE_FULL"}', maxConcurrency: 64, encodings: ['msgpack', 'json'] });
  });

  it('reads a MessagePack answer as bytes, and a body sent in many chunks as one', async () => {
    const { url, pool } = await serve((_incoming, response) => {
      response.writeHead(200, { 'content-type': 'application/vnd.msgpack' });
      for (let index = 0; index < 50; index++) response.write(Buffer.alloc(1000, index));
      response.end();
    });
    const answer = await dispatchWholeRequest(pool, request(url));
    expect(answer.text).toBe('');
    expect(answer.bytes?.byteLength).toBe(50_000);
    expect(answer.bytes?.[49_999]).toBe(49);
  });

  it('reads the answer after an informational 103', async () => {
    const { url, pool } = await serve((_incoming, response) => {
      response.writeEarlyHints({ link: '</style.css>; rel=preload' });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"result":42}');
    });
    await expect(dispatchWholeRequest(pool, request(url))).resolves.toMatchObject({ status: 200, text: '{"result":42}' });
  });

  it('refuses an answer whose Content-Length is over maxResponseBytes before reading it: PROTOCOL_ERROR', async () => {
    const { url, pool } = await serve((_incoming, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(4096) });
      response.end('x'.repeat(4096));
    });
    await expect(dispatchWholeRequest(pool, request(url, { maxResponseBytes: 1000 }))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR', message: expect.stringContaining('maxResponseBytes (1000 bytes)') });
  });

  it('stops reading a chunked answer once it passes maxResponseBytes: PROTOCOL_ERROR, and the connection is dropped', async () => {
    const { url, pool } = await serve((_incoming, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      const write = (): void => {
        if (response.destroyed) return;
        response.write('x'.repeat(1000), () => setImmediate(write));
      };
      write();
    });
    await expect(dispatchWholeRequest(pool, request(url, { maxResponseBytes: 10_000 }))).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('rejects with the reason of a signal aborted before the call, and sends nothing', async () => {
    const { url, pool, requests } = await serve((_incoming, response) => response.end('{}'));
    const reason = new Error('stop');
    await expect(dispatchWholeRequest(pool, request(url, { signal: AbortSignal.abort(reason) }))).rejects.toBe(reason);
    // A later call on the same pool goes through: the first left nothing behind.
    await dispatchWholeRequest(pool, request(url));
    expect(requests).toHaveLength(1);
  });

  it('rejects at once when aborted while the server holds the answer, and the server sees its caller go', async () => {
    const { url, pool, requests } = await serve(() => undefined);
    const controller = new AbortController();
    const call = dispatchWholeRequest(pool, request(url, { signal: controller.signal }));
    await expect.poll(() => requests.length).toBe(1);
    const reason = new Error('caller left');
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await expect.poll(() => (requests[0] as IncomingMessage).socket.destroyed).toBe(true);
  });

  it('rejects at once when aborted while waiting for a connection, and that request is never sent', async () => {
    let answerFirst: (() => void) | undefined;
    const { url, pool, requests } = await serve((_incoming, response) => {
      answerFirst ??= () => response.end('{"result":1}');
      if (requests.length > 1) response.end('{"result":2}');
    }, 1);
    const first = dispatchWholeRequest(pool, request(url));
    await expect.poll(() => requests.length).toBe(1);
    const controller = new AbortController();
    const queued = dispatchWholeRequest(pool, request(url, { signal: controller.signal }));
    const reason = new Error('gave up waiting');
    controller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    answerFirst?.();
    await expect(first).resolves.toMatchObject({ text: '{"result":1}' });
    // The pool's one connection serves the next call; the aborted one never reached the server.
    await expect(dispatchWholeRequest(pool, request(url))).resolves.toMatchObject({ text: '{"result":2}' });
    expect(requests).toHaveLength(2);
  });

  it('hands what undici throws to failure(): a refused connection', async () => {
    const { url } = await serve(() => undefined);
    const pool = new Pool('http://127.0.0.1:1', { connections: 1 });
    closers.push(() => pool.destroy());
    const error = await dispatchWholeRequest(pool, request(url, { failure: (cause) => ({ wrapped: cause }) })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ wrapped: expect.objectContaining({ code: 'ECONNREFUSED' }) });
  });
});
