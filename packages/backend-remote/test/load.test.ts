import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

const pause = defineTask('pause', (ms: number) => new Promise<number>((resolve) => setTimeout(resolve, ms, ms)));

let server: ComputeServer;
let url: string;
beforeAll(async () => {
  server = createComputeServer({ tasks: [pause], maxConcurrency: 64 });
  ({ url } = await server.listen());
});
afterAll(() => server.close());

describe.each(['http', 'websocket'] as const)('2,000 concurrent calls over %s against maxConcurrency 64, without connect()', (transport) => {
  it('answers every call with its result: the client holds back what the server would refuse', async () => {
    // 256 connections: undici's pool would let every call out at once, so only the client's admission limit keeps to 64.
    const remote = createRemoteBackend({ endpoint: url, transport, connections: 256 });
    const calls = Array.from({ length: 2_000 }, (_, index) => remote.runTask('pause', 10 + (index % 7)));
    const during = remote.load();
    const outcomes = await Promise.allSettled(calls);
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => String((outcome as PromiseRejectedResult).reason));
    expect(refused.slice(0, 3)).toEqual([]);
    outcomes.forEach((outcome, index) => expect((outcome as PromiseFulfilledResult<number>).value, `call ${index}`).toBe(10 + (index % 7)));
    // While the burst was on, most of it waited on the client, not on the server.
    expect(during.inFlight + (during.queued ?? 0)).toBe(2_000);
    expect(during.queued).toBeGreaterThan(1_000);
    expect(remote.load()).toMatchObject({ inFlight: 0, queued: 0 });
    expect(server.activeCalls).toBe(0);
    await remote.close();
  });
});
