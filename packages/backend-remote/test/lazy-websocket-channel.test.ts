import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

// The WebSocket transport's code comes by import() (so a browser's first chunk holds none of it):
// calls made before it is there wait for it, counted as queued, and close() still settles them.
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
