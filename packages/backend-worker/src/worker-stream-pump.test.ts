import { describe, expect, it } from 'vitest';
import { WorkerStreamPump, type StreamOutlet } from './worker-stream-pump.js';

function outlet(): StreamOutlet & { sent: unknown[]; later: (callback: () => void) => void; turn(): void } {
  const sent: unknown[] = [];
  let pending: (() => void)[] = [];
  return {
    sent,
    send: (chunk) => {
      structuredClone(chunk);
      sent.push(chunk);
    },
    sendMany: (chunks) => sent.push(chunks),
    later: (callback) => pending.push(callback),
    turn: () => {
      const callbacks = pending;
      pending = [];
      for (const callback of callbacks) callback();
    },
  };
}

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
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toBe(3);
    pump.grant(2);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(produced).toBe(5);
    expect(out.sent).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
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

  it('holds primitive chunks back until an object, the end of credit or a turn, keeping the order', async () => {
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
    );
    await new Promise((resolve) => setTimeout(resolve, 1));
    expect(out.sent).toEqual([[1, 2], { three: 3 }]);
    out.turn();
    expect(out.sent).toEqual([[1, 2], { three: 3 }, [4]]);
    await expect(pump.done).resolves.toBe('end');
    expect(out.sent).toEqual([[1, 2], { three: 3 }, [4], [5]]);
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
});
