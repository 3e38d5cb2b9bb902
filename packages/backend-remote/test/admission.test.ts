import type { ServerResponse } from 'node:http';
import { computeRejectionOf } from '@hybridcompute/backend-conformance';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { maxConcurrencyHeader } from '../src/index.js';
import { closedAfterEach, httpServer, webSocketServer } from './fixtures/misbehaving-servers.js';

// The server's advertised admission limit, kept by the client: small real servers that count what reaches them.

const { remote, serve } = closedAfterEach();

describe('the admission limit over WebSocket', () => {
  it("keeps to the limit the upgrade's 101 advertises, queueing the rest on the client", async () => {
    const held: Array<() => void> = [];
    let inFlight = 0;
    let most = 0;
    const server = await serve(webSocketServer(
      (socket: WebSocket, frame) => {
        inFlight++;
        most = Math.max(most, inFlight);
        held.push(() => {
          inFlight--;
          socket.send(JSON.stringify({ id: frame.id, result: frame.input }));
        });
      },
      { [maxConcurrencyHeader]: '2' },
    ));
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    const calls = [1, 2, 3, 4, 5].map((n) => backend.runTask('echo', n));
    await expect.poll(() => held.length).toBe(2);
    expect(backend.load()).toEqual({ inFlight: 2, capacity: 2, queued: 3 });
    // Each answer lets exactly one more call out.
    for (let answered = 0; answered < 5; answered++) {
      held.shift()?.();
      await expect.poll(() => held.length).toBe(Math.min(2, 4 - answered));
    }
    await expect(Promise.all(calls)).resolves.toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('sends a call refused with QUEUE_FULL again, under the same id, once another of its calls finishes', async () => {
    const seen: number[] = [];
    const held: Array<() => void> = [];
    const server = await serve(webSocketServer((socket, frame) => {
      seen.push(frame.id);
      if (frame.input === 'first') held.push(() => socket.send(JSON.stringify({ id: frame.id, result: 'first' })));
      // The server's limit is shared with other clients: the second call is refused the first time.
      else if (seen.filter((id) => id === frame.id).length === 1) socket.send(JSON.stringify({ id: frame.id, error: 'full', code: 'QUEUE_FULL' }));
      else socket.send(JSON.stringify({ id: frame.id, result: 'second' }));
    }));
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    const first = backend.runTask('echo', 'first');
    await expect.poll(() => held.length).toBe(1);
    const second = backend.runTask('echo', 'second');
    await expect.poll(() => seen.length).toBe(2);
    // The server has seen the second call; its QUEUE_FULL reaches the client a moment later.
    await expect.poll(() => backend.load()).toMatchObject({ inFlight: 1, queued: 1 });
    held[0]?.();
    await expect(first).resolves.toBe('first');
    await expect(second).resolves.toBe('second');
    expect(seen).toEqual([seen[0], seen[1], seen[1]]);
  });

  it('passes QUEUE_FULL on when none of its other calls is in flight to wait for', async () => {
    const server = await serve(webSocketServer((socket, frame) => socket.send(JSON.stringify({ id: frame.id, error: 'full', code: 'QUEUE_FULL' }))));
    expect(await computeRejectionOf(remote({ endpoint: server.url, transport: 'websocket' }).runTask('echo', 1))).toMatchObject({ code: 'QUEUE_FULL' });
  });

  it('drops a queued call at its deadline without ever sending it', async () => {
    const held: Array<() => void> = [];
    const seen: unknown[] = [];
    const server = await serve(webSocketServer(
      (socket, frame) => {
        seen.push(frame.input);
        const answer = (): void => socket.send(JSON.stringify({ id: frame.id, result: frame.input }));
        if (frame.input === 'first') held.push(answer);
        else answer();
      },
      { [maxConcurrencyHeader]: '1' },
    ));
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    const first = backend.runTask('echo', 'first');
    await expect.poll(() => held.length).toBe(1);
    expect(await computeRejectionOf(backend.runTask('echo', 'queued', { timeout: 50 }))).toMatchObject({ code: 'TASK_TIMEOUT' });
    expect(backend.load()).toMatchObject({ inFlight: 1, queued: 0 });
    held[0]?.();
    await expect(first).resolves.toBe('first');
    await expect(backend.runTask('echo', 'after')).resolves.toBe('after');
    expect(seen).toEqual(['first', 'after']);
  });
});

describe('the admission limit over HTTP', () => {
  async function countingServer(advertise: { body?: number; header?: number }): Promise<{ held: ServerResponse[]; most: () => number }> {
    const held: ServerResponse[] = [];
    let inFlight = 0;
    let most = 0;
    const server = await serve(httpServer((request, response) => {
      if (advertise.header !== undefined) response.setHeader(maxConcurrencyHeader, String(advertise.header));
      if (request.method === 'GET') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tasks: ['echo'], ...(advertise.body === undefined ? {} : { maxConcurrency: advertise.body }) }));
        return;
      }
      inFlight++;
      most = Math.max(most, inFlight);
      request.resume();
      response.on('finish', () => inFlight--);
      held.push(response);
    }));
    urls.push(server.url);
    return { held, most: () => most };
  }
  const urls: string[] = [];

  it.each([
    ['GET /tasks', { body: 3 }],
    ['the x-compute-max-concurrency header', { header: 3 }],
  ])('keeps to the limit %s advertises, per endpoint, whatever the connection pool allows', async (_label, advertise) => {
    const server = await countingServer(advertise);
    const backend = remote({ endpoint: urls.at(-1) as string, connections: 64 });
    await backend.connect();
    const calls = Array.from({ length: 8 }, (_, index) => backend.runTask('echo', index));
    await expect.poll(() => server.held.length).toBe(3);
    expect(backend.load()).toEqual({ inFlight: 3, capacity: 3, queued: 5 });
    for (let answered = 0; answered < 8; answered++) {
      server.held[answered]?.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: answered }));
      await expect.poll(() => server.held.length).toBe(Math.min(8, answered + 4));
    }
    await expect(Promise.all(calls)).resolves.toHaveLength(8);
    expect(server.most()).toBe(3);
  });

  it('settles every call when each call in flight is refused with QUEUE_FULL (none left to wake those held behind them)', async () => {
    const server = await countingServer({ body: 2 });
    const backend = remote({ endpoint: urls.at(-1) as string });
    await backend.connect();
    let settled = 0;
    const calls = Array.from({ length: 5 }, (_, index) =>
      backend.runTask('echo', index).then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      ).finally(() => settled++),
    );
    await expect.poll(() => server.held.length).toBe(2);
    // The server's limit is taken by another client: it refuses both, and then whatever comes next.
    let refused = 0;
    while (settled < 5) {
      await expect.poll(() => server.held.length > refused || settled === 5).toBe(true);
      if (server.held.length > refused) {
        (server.held[refused++] as ServerResponse).writeHead(429, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'busy', code: 'QUEUE_FULL' }));
      }
    }
    await expect(Promise.all(calls)).resolves.toEqual(['QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(backend.load()).toEqual({ inFlight: 0, capacity: 2, queued: 0 });
  });

  it('sums the load of its endpoints, and sends each call where there is most room', async () => {
    const small = await countingServer({ body: 1 });
    const large = await countingServer({ body: 4 });
    const backend = remote({ endpoint: urls.slice(-2) });
    // connect() asks the first endpoint that answers; the second learns from its first answer's header, or keeps the default.
    await backend.connect();
    const calls = Array.from({ length: 4 }, (_, index) => backend.runTask('echo', index));
    await expect.poll(() => small.held.length + large.held.length).toBe(4);
    // The endpoint that advertised a limit of 1 has less room than the one whose limit is not known yet (256): it takes none.
    expect(small.held.length).toBe(0);
    expect(backend.load()).toEqual({ inFlight: 4, capacity: 1 + 256, queued: 0 });
    for (const response of [...small.held, ...large.held]) response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":0}');
    await expect(Promise.all(calls)).resolves.toHaveLength(4);
  });
});
