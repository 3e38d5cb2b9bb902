import { createLocalBackend } from '@hybridcompute/backend-local';
import { defineTask } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { readBullmqWorkerOptions } from './bullmq-worker-options.js';

const backend = createLocalBackend({ tasks: [defineTask('double', (n: number) => n * 2)] });
const connection = 'redis://127.0.0.1:6379';

describe('readBullmqWorkerOptions', () => {
  it('refuses a missing backend or connection, a bad queue name and a bad concurrency', () => {
    const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });
    expect(() => readBullmqWorkerOptions(undefined as never)).toThrow(invalid);
    expect(() => readBullmqWorkerOptions({ connection, queue: 'q' } as never)).toThrow(invalid);
    expect(() => readBullmqWorkerOptions({ connection, queue: 'q', backend: {} as never })).toThrow(/canRun\(\) and runTask\(\)/);
    expect(() => readBullmqWorkerOptions({ queue: 'q', backend } as never)).toThrow(/connection is required/);
    expect(() => readBullmqWorkerOptions({ connection, queue: '', backend })).toThrow(invalid);
    expect(() => readBullmqWorkerOptions({ connection, queue: 'a:b', backend })).toThrow(/without ':'/);
    expect(() => readBullmqWorkerOptions({ connection, queue: 'q', backend, concurrency: 0 })).toThrow(/concurrency/);
    expect(() => readBullmqWorkerOptions({ connection, queue: 'q', backend, concurrency: 1.5 })).toThrow(/concurrency/);
  });

  it("fills in the defaults and passes BullMQ's own options through only when given", () => {
    const read = readBullmqWorkerOptions({ connection, queue: 'compute', backend });
    expect(read).toMatchObject({ queue: 'compute', prefix: 'bull', backend });
    // Recovery defaults for compute calls, not BullMQ's 30000 / 30000.
    expect(read.worker).toEqual({ connection: { url: connection }, prefix: 'bull', concurrency: 1, autorun: true, lockDuration: 5_000, stalledInterval: 1_000, maxStalledCount: 1 });
    const tuned = readBullmqWorkerOptions({
      connection: { host: 'redis' },
      queue: 'q',
      backend,
      prefix: 'p',
      concurrency: 4,
      lockDuration: 60_000,
      stalledInterval: 30_000,
      maxStalledCount: 0,
      autorun: false,
    });
    expect(tuned.worker).toEqual({ connection: { host: 'redis' }, prefix: 'p', concurrency: 4, autorun: false, lockDuration: 60_000, stalledInterval: 30_000, maxStalledCount: 0 });
  });

  it('refuses a lock duration, stalled interval or stall count BullMQ and Redis cannot use, naming the option', () => {
    for (const what of ['lockDuration', 'stalledInterval'] as const) {
      for (const bad of [0, -1, 99, 1_500.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '5000', null]) {
        const read = (): unknown => readBullmqWorkerOptions({ connection, queue: 'q', backend, [what]: bad as never });
        expect(read, `${what}: ${String(bad)}`).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST', message: expect.stringContaining(`${what} must be an integer number of milliseconds from 100`) }));
      }
    }
    for (const bad of [-1, 0.5, Number.NaN, '1', null]) {
      expect(() => readBullmqWorkerOptions({ connection, queue: 'q', backend, maxStalledCount: bad as never }), String(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('maxStalledCount must be an integer of at least 0') }),
      );
    }
    expect(readBullmqWorkerOptions({ connection, queue: 'q', backend, lockDuration: 100, stalledInterval: 100 }).worker).toMatchObject({ lockDuration: 100, stalledInterval: 100 });
  });
});
