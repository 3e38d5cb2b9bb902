import { describe, expect, it } from 'vitest';
import { WorkerStreamPump, type StreamOutlet } from './worker-stream-pump.js';

// Sent alone: `{ alone: chunk }`; several in one message: the array.
function outlet(moving: ReadonlySet<unknown> = new Set()): StreamOutlet & { sent: unknown[]; later: (callback: () => void) => void; turn(): void } {
  const sent: unknown[] = [];
  let pending: (() => void)[] = [];
  return {
    sent,
    send: (chunk) => {
      structuredClone(chunk);
      sent.push({ alone: chunk });
    },
    sendMany: (chunks) => sent.push(chunks),
    moves: (chunk) => moving.has(chunk),
    later: (callback) => pending.push(callback),
    turn: () => {
      const callbacks = pending;
      pending = [];
      for (const callback of callbacks) callback();
    },
  };
}

// No clock decides: chunks leave only at the end of credit, a turn or the end (a busy machine's clock jumps).
const untimed = { holdForMs: Infinity, bigCopyMs: Infinity };

const settled = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('WorkerStreamPump', () => {
  it('runs the generator only as far as its credit, then on with each grant', async () => {
    let produced = 0;
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        for (;;) yield { n: ++produced };
      })(),
      3,
      out,
      untimed,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toBe(3);
    pump.grant(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toBe(5);
    // Each run to the end of its credit leaves as one message.
    expect(out.sent).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }], [{ n: 4 }, { n: 5 }]]);
    pump.close(new Error('stop'));
    await expect(settled(pump.done)).resolves.toMatchObject({ error: { message: 'stop' } });
  });

  it('closes a generator parked at its yield: its finally runs', async () => {
    let closed = false;
    const pump = new WorkerStreamPump(
      (async function* () {
        try {
          for (;;) yield 1;
        } finally {
          closed = true;
        }
      })(),
      1,
      outlet(),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    pump.close('reader left');
    await expect(settled(pump.done)).resolves.toEqual({ error: 'reader left' });
    expect(closed).toBe(true);
  });

  it('holds chunks back until the end of credit or a turn, keeping the order', async () => {
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        yield 1;
        yield 2;
        yield { three: 3 };
        yield 4;
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield 5;
        return 'end';
      })(),
      100,
      out,
      untimed,
    );
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(out.sent).toEqual([]);
    out.turn();
    expect(out.sent).toEqual([[1, 2, { three: 3 }, 4]]);
    await expect(pump.done).resolves.toBe('end');
    expect(out.sent).toEqual([[1, 2, { three: 3 }, 4], [5]]);
  });

  it('sends what it holds once four wait and the first has waited long enough, the generator still running', async () => {
    const out = outlet();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const pump = new WorkerStreamPump(
      (async function* () {
        yield 1;
        yield 2;
        yield 3;
        // Slow to make: no turn of the (test's) event loop flushes, only the time held.
        const until = performance.now() + 5;
        while (performance.now() < until);
        yield 4;
        await released;
        yield 5;
      })(),
      10,
      out,
      { holdForMs: 1, bigCopyMs: Infinity },
    );
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(out.sent).toEqual([[1, 2, 3, 4]]);
    release();
    await pump.done;
    expect(out.sent).toEqual([[1, 2, 3, 4], [5]]);
  });

  it('holds a copy taken at the yield: the generator may change the object afterwards', async () => {
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        const reused = { n: 0, bytes: new Uint8Array(2) };
        for (let n = 1; n <= 3; n++) {
          reused.n = n;
          reused.bytes[0] = n;
          yield reused;
        }
      })(),
      10,
      out,
      untimed,
    );
    await pump.done;
    expect(out.sent).toEqual([[1, 2, 3].map((n) => ({ n, bytes: new Uint8Array([n, 0]) }))]);
  });

  it('sends a chunk marked to move alone and at its yield, after the chunks held before it', async () => {
    const moving = { buffer: new ArrayBuffer(8) };
    const out = outlet(new Set([moving]));
    const pump = new WorkerStreamPump(
      (async function* () {
        yield { before: true };
        yield moving;
        yield 'after';
      })(),
      10,
      out,
      untimed,
    );
    await pump.done;
    expect(out.sent[0]).toEqual([{ before: true }]);
    // The very object, not a copy: its buffers are the ones the transfer list names.
    expect((out.sent[1] as { alone: unknown }).alone).toBe(moving);
    expect(out.sent[2]).toEqual(['after']);
  });

  it('sends object chunks alone once two in a row took long to copy', async () => {
    const out = outlet();
    const big = () => ({ bytes: new Uint8Array(4 * 1024 * 1024) });
    const pump = new WorkerStreamPump(
      (async function* () {
        yield big();
        yield big();
        yield { small: true };
      })(),
      10,
      out,
      { holdForMs: Infinity, bigCopyMs: 0 },
    );
    await pump.done;
    expect(out.sent).toHaveLength(3);
    for (const message of out.sent) expect(message).toHaveProperty('alone');
  });

  it('sends big binary chunks alone, copied once', async () => {
    const big = new Uint8Array(64 * 1024);
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        yield 1;
        yield big;
      })(),
      10,
      out,
      untimed,
    );
    await pump.done;
    expect(out.sent).toHaveLength(2);
    expect(out.sent[0]).toEqual([1]);
    expect((out.sent[1] as { alone: unknown }).alone).toBe(big);
  });

  it('fails on a chunk that cannot be cloned after sending the ones before it, and closes the generator', async () => {
    let closed = false;
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        try {
          yield 1;
          yield () => 'a function';
          yield 3;
        } finally {
          closed = true;
        }
      })(),
      10,
      out,
    );
    const outcome = (await settled(pump.done)) as { error: Error };
    expect(outcome.error.message).toContain('Unserializable chunk');
    expect(out.sent).toEqual([[1]]);
    expect(closed).toBe(true);
  });

  it('fails on an object chunk that holds something that cannot be cloned, after the ones before it', async () => {
    const out = outlet();
    const pump = new WorkerStreamPump(
      (async function* () {
        yield { fine: 1 };
        yield { callback: () => 'a function' };
        yield { never: true };
      })(),
      10,
      out,
      untimed,
    );
    const outcome = (await settled(pump.done)) as { error: Error };
    expect(outcome.error.message).toContain('Unserializable chunk');
    expect(out.sent).toEqual([[{ fine: 1 }]]);
  });
});
