import { ComputeError, defineTask } from '@hybridcompute/core';
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

describe.each(['http', 'websocket'] as const)('2,000 concurrent calls over %s against maxConcurrency 64', (transport) => {
  it('answers every call with its result or QUEUE_FULL: none lost, none hung', async () => {
    const remote = createRemoteBackend({ endpoint: url, transport, connections: 256 });
    const outcomes = await Promise.allSettled(Array.from({ length: 2_000 }, (_, index) => remote.runTask('pause', 10 + (index % 7))));
    const fulfilled = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const rejected = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(fulfilled.length + rejected.length).toBe(2_000);
    expect(fulfilled.length).toBeGreaterThanOrEqual(64);
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') expect(outcome.value).toBe(10 + (index % 7));
    });
    for (const { reason } of rejected) expect(ComputeError.isInstance(reason) && reason.code).toBe('QUEUE_FULL');
    expect(server.activeCalls).toBe(0);
    await remote.close();
  });
});
