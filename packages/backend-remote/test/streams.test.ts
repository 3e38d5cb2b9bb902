import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { collectGarbage } from '@hybridcompute/test-support/memory';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

// Streams against a real server: the slot is freed when the loop breaks, and a reader that
// stops reading holds the server's memory (and the producer) to a bound.

const chunkBytes = 64 * 1024;
const made = { chunks: 0, closed: 0 };
/** Yields 64 KiB strings for ever: without flow control it would fill the heap in seconds. */
const flood = defineTask('flood', async function* () {
  try {
    for (;;) {
      made.chunks++;
      // A fresh string each time, so nothing is shared between chunks.
      yield `${made.chunks}`.padEnd(chunkBytes, 'x');
    }
  } finally {
    made.closed++;
  }
});

let server: ComputeServer;
let url: string;
beforeAll(async () => {
  server = createComputeServer({ tasks: [flood] });
  ({ url } = await server.listen(0, '127.0.0.1'));
});
afterAll(async () => {
  await server.close();
});

const mebibyte = 1024 * 1024;
// What a stalled reader may cost: TCP buffers and a few chunks, never what the producer could make.
const heldBound = 48 * mebibyte;
// The heap holds more than the chunks made: each is also encoded, queued on the server's socket and
// parsed on the client. Twice the bound still fails a producer that flow control did not stop.
const heapBound = 2 * heldBound;

// A collection before each reading, so that garbage does not pass for memory held.
function heapInUse(): number {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

for (const transport of ['http', 'websocket'] as const) {
  describe(`a stream over ${transport}`, () => {
    it('frees its slot on the server when the loop breaks', async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      const closedBefore = made.closed;
      let read = 0;
      for await (const _chunk of remote.streamTask('flood', null, { highWaterMark: 2 })) if (++read === 3) break;
      await vi.waitFor(() => expect(made.closed).toBe(closedBefore + 1));
      await vi.waitFor(() => expect(server.activeCalls).toBe(0));
      await remote.close();
    });

    it('holds the producer and the heap to a bound while its reader reads nothing', async () => {
      const remote = createRemoteBackend({ endpoint: url, transport });
      await remote.connect();
      const before = heapInUse();
      const chunksBefore = made.chunks;
      const iterator = remote.streamTask('flood', null, { highWaterMark: 4 })[Symbol.asyncIterator]();
      try {
        await iterator.next();
        // The reader stalls: the producer runs until flow control stops it, then its count settles.
        let previous = -1;
        while (made.chunks !== previous) {
          previous = made.chunks;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const produced = made.chunks - chunksBefore;
        const grown = heapInUse() - before;
        expect(produced * chunkBytes).toBeLessThan(heldBound);
        expect(grown).toBeLessThan(heapBound);
      } finally {
        // Even when a bound fails, so that the next test does not find this call still on the server.
        await iterator.return?.();
      }
      await vi.waitFor(() => expect(server.activeCalls).toBe(0));
      await remote.close();
    });
  });
}
