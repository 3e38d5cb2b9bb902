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
    expect(read.worker).toEqual({ connection: { url: connection }, prefix: 'bull', concurrency: 1, autorun: true });
    const tuned = readBullmqWorkerOptions({ connection: { host: 'redis' }, queue: 'q', backend, prefix: 'p', concurrency: 4, lockDuration: 60_000, autorun: false });
    expect(tuned.worker).toEqual({ connection: { host: 'redis' }, prefix: 'p', concurrency: 4, autorun: false, lockDuration: 60_000 });
  });
});
