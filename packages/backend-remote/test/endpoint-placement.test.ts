import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

// Three real servers on loopback, each answering 'work' after its own service time on a timer:
// two of 5 ms, one of 250 ms: far enough apart to show when other test files load this process,
// where a call's own overhead (the same on every endpoint: they share this event loop) can reach
// 100 ms. Each advertises maxConcurrency 2.
const serviceMs = [5, 5, 250];
let servers: ComputeServer[];
let urls: string[];
beforeAll(async () => {
  servers = serviceMs.map((ms, index) =>
    createComputeServer({
      tasks: [defineTask('work', () => new Promise<number>((resolve) => setTimeout(resolve, ms, index)))],
      maxConcurrency: 2,
    }),
  );
  urls = (await Promise.all(servers.map((server) => server.listen(0, '127.0.0.1')))).map(({ url }) => url);
});
afterAll(() => Promise.all(servers.map((server) => server.close())));

describe.each(['http', 'websocket'] as const)('one remote backend over three endpoints, one 50x slower, over %s', (transport) => {
  it('sends each call where it should finish soonest: the slow endpoint gets the least, no call is lost', async () => {
    const remote = createRemoteBackend({ endpoint: urls, transport });
    await remote.connect();
    const answeredBy = [0, 0, 0];
    let next = 0;
    const lane = async () => {
      while (next < 300) {
        next++;
        answeredBy[await remote.runTask<undefined, number>('work', undefined)]!++;
      }
    };
    // 12 in flight against 6 slots: calls queue on the client, and where they queue is the choice.
    await Promise.all(Array.from({ length: 12 }, lane));
    expect(answeredBy.reduce((a, b) => a + b)).toBe(300);
    // Fair share of the slow one: 1/100 of the calls. Round-robin gives it a third.
    expect(answeredBy[2]).toBeLessThan(100);
    expect(answeredBy[2]).toBeLessThan(answeredBy[0]!);
    expect(answeredBy[2]).toBeLessThan(answeredBy[1]!);
    expect(remote.load()).toMatchObject({ inFlight: 0, queued: 0 });
    await remote.close();
  });
});
