import { computeRejectionOf } from '@hybridcompute/backend-conformance';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterEach, describe, expect, it } from 'vitest';
import { createRemoteBackend, maxConcurrencyHeader, type RemoteBackend, type RemoteTransport } from '../src/index.js';
import { closedAfterEach, webSocketServer } from './fixtures/misbehaving-servers.js';

// A stream refused with QUEUE_FULL (the server's limit is shared with another client), against a real server.

const releases = new Map<string, () => void>();
const held = defineTask('held', (name: string) => new Promise<string>((resolve) => releases.set(name, () => resolve(name))));
const three = defineTask('three', async function* (_input: unknown, { progress }) {
  await progress('starting');
  yield 1;
  yield 2;
  yield 3;
  return 'three';
});

const servers: ComputeServer[] = [];
const remotes: RemoteBackend[] = [];
afterEach(async () => {
  for (const release of releases.values()) release();
  releases.clear();
  await Promise.all(remotes.splice(0).map((remote) => remote.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fullServer(): Promise<string> {
  const server = createComputeServer({ tasks: [held, three], maxConcurrency: 2 });
  servers.push(server);
  return (await server.listen(0, '127.0.0.1')).url;
}

async function client(url: string, transport: RemoteTransport): Promise<RemoteBackend> {
  const remote = createRemoteBackend({ endpoint: url, transport });
  remotes.push(remote);
  await remote.connect();
  return remote;
}

describe.each(['http', 'websocket'] as const)('a stream refused with QUEUE_FULL over %s', (transport) => {
  it('waits at the front of the queue until another of its calls to the endpoint ends, then streams whole', async () => {
    const url = await fullServer();
    const other = await client(url, transport);
    const ours = await client(url, transport);
    const otherCall = other.runTask('held', 'other');
    await expect.poll(() => releases.has('other')).toBe(true);
    const ourCall = ours.runTask('held', 'ours');
    await expect.poll(() => releases.has('ours')).toBe(true);
    // The server's two slots are taken; the client's own count (one of two) lets the stream go, and the server refuses it.
    const progress: unknown[] = [];
    const chunks: unknown[] = [];
    const reading = (async () => {
      for await (const chunk of ours.streamTask('three', null, { onProgress: (value) => progress.push(value) })) chunks.push(chunk);
    })();
    await expect.poll(() => ours.load()).toMatchObject({ inFlight: 1, queued: 1 });
    expect(chunks).toEqual([]);
    releases.get('ours')?.();
    await expect(ourCall).resolves.toBe('ours');
    await reading;
    expect(chunks).toEqual([1, 2, 3]);
    expect(progress).toEqual(['starting']);
    releases.get('other')?.();
    await expect(otherCall).resolves.toBe('other');
    expect(ours.load()).toMatchObject({ inFlight: 0, queued: 0 });
  });

  it('passes QUEUE_FULL on when none of its calls is in flight to wait for', async () => {
    const url = await fullServer();
    const other = await client(url, transport);
    const ours = await client(url, transport);
    const calls = [other.runTask('held', 'a'), other.runTask('held', 'b')];
    await expect.poll(() => releases.size).toBe(2);
    const error = await computeRejectionOf(async () => {
      for await (const _chunk of ours.streamTask('three', null)) throw new Error('no chunk can come');
    });
    expect(error).toMatchObject({ code: 'QUEUE_FULL', taskName: 'three' });
    for (const release of releases.values()) release();
    await Promise.all(calls);
  });
});

describe('the admission queue over WebSocket', () => {
  const { remote, serve } = closedAfterEach();

  it('settles every call when each call in flight is refused with QUEUE_FULL (none left to wake those held behind them)', async () => {
    const frames: Array<{ socket: { send(data: string): void }; id: unknown }> = [];
    const server = await serve(webSocketServer((socket, frame) => frames.push({ socket, id: frame.id }), { [maxConcurrencyHeader]: '2' }));
    const backend = remote({ endpoint: server.url, transport: 'websocket' });
    let settled = 0;
    const calls = Array.from({ length: 5 }, (_, index) =>
      backend.runTask('echo', index).then(
        () => 'answered',
        (error: { code?: string }) => error.code,
      ).finally(() => settled++),
    );
    await expect.poll(() => frames.length).toBe(2);
    // The server's limit is taken by another client: it refuses both, and then whatever comes next.
    let refused = 0;
    while (settled < 5) {
      await expect.poll(() => frames.length > refused || settled === 5).toBe(true);
      if (frames.length > refused) {
        const { socket, id } = frames[refused++] as (typeof frames)[number];
        socket.send(JSON.stringify({ id, error: 'busy', code: 'QUEUE_FULL' }));
      }
    }
    await expect(Promise.all(calls)).resolves.toEqual(['QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(backend.load()).toEqual({ inFlight: 0, capacity: 2, queued: 0 });
  });
});
