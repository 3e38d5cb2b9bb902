import { expect, it, vi } from 'vitest';
import { computeRejectionOf, rejectionOf } from './rejection-of.js';
import type { BackendUnderTest, SuiteContext } from './suite-context.js';

type Probe = { produced: number; closed: boolean; aborted: boolean };

function streamOf(backend: BackendUnderTest, taskName: string, input: unknown, options?: object): AsyncIterable<unknown> {
  if (typeof backend.streamTask !== 'function') throw new Error('the backend declares streaming but has no streamTask');
  return backend.streamTask(taskName, input, options);
}

async function collect(stream: AsyncIterable<unknown>): Promise<unknown[]> {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

let streamCount = 0;
const newStreamId = (): string => `stream-${process.pid}-${Date.now()}-${++streamCount}`;

export function describeStreaming({ backend, capabilities }: SuiteContext): void {
  const probe = (id: string): Promise<Probe> => backend().runTask('streamProbe', { id }) as Promise<Probe>;

  it('yields every chunk, in order', async () => {
    await expect(collect(streamOf(backend(), 'countTo', { to: 200 }))).resolves.toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
  });

  it("resolves runTask on a streaming task with the generator's return value", async () => {
    await expect(backend().runTask('countTo', { to: 5 })).resolves.toBe('counted');
  });

  it('delivers the chunks before a failure, then rejects with TASK_FAILED keeping the code', async () => {
    const chunks: unknown[] = [];
    const error = await computeRejectionOf(async () => {
      for await (const chunk of streamOf(backend(), 'failAfter', { after: 3, code: 'E_MID' })) chunks.push(chunk);
    });
    expect(chunks).toEqual([1, 2, 3]);
    expect(error.code).toBe('TASK_FAILED');
    expect((error.cause as { code?: string }).code).toBe('E_MID');
  });

  it('stops the task where it runs when the loop breaks: its finally runs and its signal aborts', async () => {
    const id = newStreamId();
    const chunks: unknown[] = [];
    for await (const chunk of streamOf(backend(), 'endless', { id })) {
      chunks.push(chunk);
      if (chunks.length === 3) break;
    }
    expect(chunks).toEqual([1, 2, 3]);
    await vi.waitFor(async () => expect(await probe(id)).toMatchObject({ closed: true, aborted: true }), { timeout: 10_000, interval: 20 });
  });

  it('pauses a producer whose reader stops reading: at most highWaterMark chunks on their way', async () => {
    const id = newStreamId();
    const highWaterMark = 4;
    if (capabilities.streamBackpressure === 'transport') {
      // 64 KiB chunks, so the connection's buffers fill in a few hundred of them, not millions.
      const pad = 64 * 1024;
      const iterator = streamOf(backend(), 'endless', { id, pad }, { highWaterMark })[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toEqual({ done: false, value: '1'.padEnd(pad, '.') });
      // The producer stops once the buffers are full: its count settles, far below what it could make.
      let last = await probe(id);
      let previous = -1;
      for (let round = 0; round < 100 && last.produced !== previous; round++) {
        previous = last.produced;
        await new Promise((resolve) => setTimeout(resolve, 50));
        last = await probe(id);
      }
      expect(last.produced).toBe(previous);
      expect(last.produced * pad).toBeLessThan(64 * 1024 * 1024);
      expect(last.closed).toBe(false);
      await iterator.return?.();
    } else {
      const iterator = streamOf(backend(), 'endless', { id }, { highWaterMark })[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
      // Give the producer many round trips' worth of chances to run ahead.
      let last: Probe = await probe(id);
      for (let round = 0; round < 25; round++) last = await probe(id);
      // One read, highWaterMark on their way, and the one the generator holds at its yield.
      expect(last.produced).toBeLessThanOrEqual(1 + highWaterMark + 1);
      expect(last.closed).toBe(false);
      await iterator.return?.();
    }
    await vi.waitFor(async () => expect((await probe(id)).closed).toBe(true), { timeout: 10_000, interval: 20 });
  });

  it('ends a stream at its timeout with TASK_TIMEOUT, and stops the task', async () => {
    const id = newStreamId();
    const startedAt = Date.now();
    const failure = await computeRejectionOf(async () => {
      // A slow reader: the deadline passes while it reads.
      for await (const _chunk of streamOf(backend(), 'endless', { id }, { timeout: 200, highWaterMark: 1 })) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    });
    expect(failure.code).toBe('TASK_TIMEOUT');
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    await vi.waitFor(async () => expect((await probe(id)).closed).toBe(true), { timeout: 10_000, interval: 20 });
  });

  it('ends a stream the moment its signal aborts: chunks on their way are not handed out after it', async () => {
    const id = newStreamId();
    const controller = new AbortController();
    const chunks: unknown[] = [];
    const failure = await computeRejectionOf(async () => {
      // A mark of 16, so that chunks are waiting to be read when the signal aborts.
      for await (const chunk of streamOf(backend(), 'endless', { id }, { signal: controller.signal, highWaterMark: 16 })) {
        chunks.push(chunk);
        if (chunks.length === 3) {
          // Round trips to where the task runs give a producer that runs ahead (a worker, a server) time to send what the
          // mark allows; one that runs pull by pull (in process) has nothing on its way, and the check below holds as well.
          for (let round = 0; round < 10; round++) await probe(id);
          controller.abort();
        }
      }
    });
    expect(failure.code).toBe('TASK_ABORTED');
    expect(chunks).toEqual([1, 2, 3]);
    await vi.waitFor(async () => expect(await probe(id)).toMatchObject({ closed: true, aborted: true }), { timeout: 10_000, interval: 20 });
  });

  it('starts the task on the first step only: a stream never read, or closed before it, runs nothing', async () => {
    const neverRead = newStreamId();
    const closedFirst = newStreamId();
    const read = newStreamId();
    streamOf(backend(), 'endless', { id: neverRead });
    const closed = streamOf(backend(), 'endless', { id: closedFirst })[Symbol.asyncIterator]();
    await expect(closed.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(closed.next()).resolves.toEqual({ done: true, value: undefined });
    // A stream read after those two has run (and stopped): had they started, they would have run as long.
    const reader = streamOf(backend(), 'endless', { id: read })[Symbol.asyncIterator]();
    await expect(reader.next()).resolves.toEqual({ done: false, value: 1 });
    await reader.return?.();
    await vi.waitFor(async () => expect((await probe(read)).closed).toBe(true), { timeout: 10_000, interval: 20 });
    expect(await probe(neverRead)).toEqual({ produced: 0, closed: false, aborted: false });
    expect(await probe(closedFirst)).toEqual({ produced: 0, closed: false, aborted: false });
  });

  it('runs once per streamTask: a second loop over the same stream ends at once', async () => {
    const stream = streamOf(backend(), 'countTo', { to: 3 });
    await expect(collect(stream)).resolves.toEqual([1, 2, 3]);
    await expect(collect(stream)).resolves.toEqual([]);
  });

  it('settles next() calls made without awaiting in order, then done', async () => {
    const iterator = streamOf(backend(), 'countTo', { to: 3 })[Symbol.asyncIterator]();
    const steps = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next(), iterator.next()]);
    expect(steps.map((step) => (step.done === true ? 'done' : step.value))).toEqual([1, 2, 3, 'done', 'done']);
  });

  it('rejects a task that does not stream with INVALID_REQUEST', async () => {
    const error = await computeRejectionOf(() => collect(streamOf(backend(), 'double', 2)));
    expect(error.code).toBe('INVALID_REQUEST');
  });

  it('rejects bad stream options on the first step, never where it is called', async () => {
    const stream = streamOf(backend(), 'countTo', { to: 1 }, { highWaterMark: 0 });
    const error = await rejectionOf(() => collect(stream));
    expect(error.code).toBe('INVALID_REQUEST');
  });
}
