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
    // Every call settled (allSettled returned); each must be its own result or the server's 503 QUEUE_FULL, nothing else.
    let fulfilled = 0;
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') {
        fulfilled++;
        expect(outcome.value, `call ${index}`).toBe(10 + (index % 7));
      } else {
        // The server's own 503 refusal, passed through: not a transport failure or a timeout.
        expect(ComputeError.isInstance(outcome.reason), `call ${index}`).toBe(true);
        expect(outcome.reason, `call ${index}`).toMatchObject({ code: 'QUEUE_FULL', taskName: 'pause', message: expect.stringContaining('64 calls, its limit') });
      }
    });
    expect(fulfilled).toBeGreaterThanOrEqual(64);
    expect(server.activeCalls).toBe(0);
    await remote.close();
  });
});
