import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdmissionQueue } from '../src/admission-queue.js';
import { LazyWebSocketChannel, openWebSocketChannel } from '../src/lazy-websocket-channel.js';
import type { RemoteBackendOptions, RemotePlatform } from '../src/remote-backend-options.js';
import { RemoteBackend } from '../src/remote-backend.js';
import { runtimeRemotePlatform } from '../src/runtime-remote-platform.js';
import { WebSocketChannel, type WebSocketChannelOptions } from '../src/websocket-channel.js';

// In a browser the WebSocket transport's code comes by import() (so the first chunk holds none of
// it): calls made before it is there wait for it, counted as queued, and close() still settles them.
// A platform that does not make channels itself (the browser entry's, or one built by hand) gets
// that loader; here Node's own HTTP and `ws`, without its channel maker.
const lazyPlatform: RemotePlatform = { createHttpTransport: runtimeRemotePlatform.createHttpTransport, createWebSocket: runtimeRemotePlatform.createWebSocket };
const createRemoteBackend = (options: RemoteBackendOptions): RemoteBackend => new RemoteBackend(options, lazyPlatform);
let starts = 0;
const double = defineTask('double', (n: number) => {
  starts++;
  return n * 2;
});
let server: ComputeServer;
let url: string;
beforeAll(async () => {
  server = createComputeServer({ tasks: [double] });
  ({ url } = await server.listen());
});
afterAll(() => server.close());

describe('calls made before the WebSocket transport is loaded', () => {
  it('wait for it, counted as queued on the client, and then run', async () => {
    const remote = createRemoteBackend({ endpoint: url, transport: 'websocket' });
    const calls = [1, 2, 3].map((n) => remote.runTask('double', n));
    expect(remote.load()).toMatchObject({ inFlight: 0, queued: 3 });
    expect(await Promise.all(calls)).toEqual([2, 4, 6]);
    expect(remote.load()).toMatchObject({ inFlight: 0, queued: 0 });
    // Once it is there, a call goes straight to the channel.
    expect(await remote.runTask('double', 4)).toBe(8);
    await remote.close();
  });

  it('settle with BACKEND_UNAVAILABLE when close() comes first, and are never sent', async () => {
    const before = starts;
    const remote = createRemoteBackend({ endpoint: url, transport: 'websocket' });
    const call = remote.runTask('double', 1).catch((error: unknown) => error);
    expect(remote.load()).toMatchObject({ queued: 1 });
    await remote.close();
    expect(await call).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('closed') });
    expect(starts).toBe(before);
    expect(server.activeCalls).toBe(0);
  });

  it('stop waiting when their signal aborts: TASK_ABORTED at once, no longer queued, never sent', async () => {
    const before = starts;
    const remote = createRemoteBackend({ endpoint: url, transport: 'websocket' });
    const controller = new AbortController();
    const call = remote.runTask('double', 1, { signal: controller.signal }).catch((error: unknown) => error);
    const other = remote.runTask('double', 2);
    expect(remote.load()).toMatchObject({ queued: 2 });
    controller.abort();
    expect(remote.load()).toMatchObject({ queued: 1 });
    expect(await call).toMatchObject({ code: 'TASK_ABORTED' });
    expect(await other).toBe(4);
    expect(starts).toBe(before + 1);
    await remote.close();
  });
});

describe('openWebSocketChannel', () => {
  const options: WebSocketChannelOptions = {
    url: new URL('ws://127.0.0.1:1/compute'),
    token: undefined,
    factory: runtimeRemotePlatform.createWebSocket,
    backend: 'remote',
    maxResponseBytes: 1024,
    admission: new AdmissionQueue(1),
    subprotocols: () => [],
    beforeOpen: () => Promise.resolve(),
    probe: () => Promise.resolve(undefined),
  };

  it("makes Node's channel at once, and loads it on demand for a platform that does not make channels", () => {
    const node = openWebSocketChannel(runtimeRemotePlatform, options);
    const lazy = openWebSocketChannel(lazyPlatform, options);
    expect(node).toBeInstanceOf(WebSocketChannel);
    expect(lazy).toBeInstanceOf(LazyWebSocketChannel);
    node.close();
    lazy.close();
  });
});
