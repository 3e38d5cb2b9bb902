import { defineTask, maxTimerDelay } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { idempotencyKeyOf, readBullmqBackendOptions } from './bullmq-backend-options.js';

const connection = 'redis://127.0.0.1:6379';
const invalid = expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' });

describe('readBullmqBackendOptions', () => {
  it('refuses missing options, a missing connection and a bad queue name', () => {
    expect(() => readBullmqBackendOptions(undefined as never)).toThrow(invalid);
    expect(() => readBullmqBackendOptions({ queue: 'q' } as never)).toThrow(/connection is required/);
    expect(() => readBullmqBackendOptions({ connection, queue: 'a:b' })).toThrow(/queue must be a non-empty string without ':'/);
    expect(() => readBullmqBackendOptions({ connection, queue: '' })).toThrow(invalid);
  });

  it('refuses timeouts that are not milliseconds setTimeout honours', () => {
    for (const timeout of [-1, 0, Number.NaN, 2 ** 40, '5' as never]) {
      expect(() => readBullmqBackendOptions({ connection, queue: 'q', timeout })).toThrow(/timeout must be a number of milliseconds/);
    }
    expect(() => readBullmqBackendOptions({ connection, queue: 'q', connectTimeout: maxTimerDelay + 1 })).toThrow(/connectTimeout/);
    expect(() => readBullmqBackendOptions({ connection, queue: 'q', recheckInterval: 0 })).toThrow(/recheckInterval/);
  });

  it('refuses retries of fewer than one attempt, and an idempotencyKey that is not a function', () => {
    expect(() => readBullmqBackendOptions({ connection, queue: 'q', retry: { double: { attempts: 0 } } })).toThrow(/attempts/);
    expect(() => readBullmqBackendOptions({ connection, queue: 'q', retry: { double: { attempts: 1.5 } } })).toThrow(/attempts/);
    expect(() => readBullmqBackendOptions({ connection, queue: 'q', idempotencyKey: 'k' as never })).toThrow(/idempotencyKey/);
  });

  it('fills in the defaults', () => {
    const read = readBullmqBackendOptions({ connection, queue: 'compute' });
    expect(read).toMatchObject({ name: 'bullmq', queueName: 'compute', prefix: 'bull', timeout: 30_000, connectTimeout: 5_000, recheckInterval: 5_000, taskNames: undefined });
    expect(read.jobOptions).toEqual({ removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 86_400, count: 10_000 } });
    const tuned = readBullmqBackendOptions({ connection, queue: 'compute', name: 'queued', jobOptions: { removeOnComplete: { age: 600 }, priority: 2 } });
    expect(tuned.name).toBe('queued');
    expect(tuned.jobOptions).toEqual({ removeOnComplete: { age: 600 }, removeOnFail: { age: 86_400, count: 10_000 }, priority: 2 });
  });

  it('reads the task names from names or from task definitions', () => {
    expect([...(readBullmqBackendOptions({ connection, queue: 'q', tasks: ['double', 'greet'] }).taskNames ?? [])]).toEqual(['double', 'greet']);
    const double = defineTask('double', (n: number) => n * 2);
    expect([...(readBullmqBackendOptions({ connection, queue: 'q', tasks: { double } }).taskNames ?? [])]).toEqual(['double']);
    expect([...(readBullmqBackendOptions({ connection, queue: 'q', tasks: [double] }).taskNames ?? [])]).toEqual(['double']);
  });
});

describe('idempotencyKeyOf', () => {
  it("takes the call's key first, then the derived one, and none without either", () => {
    const derive = (taskName: string, input: unknown): string | undefined => (taskName === 'charge' ? `order-${String(input)}` : undefined);
    expect(idempotencyKeyOf('charge', 17, { idempotencyKey: 'mine' }, derive)).toBe('mine');
    expect(idempotencyKeyOf('charge', 17, undefined, derive)).toBe('order-17');
    expect(idempotencyKeyOf('double', 17, undefined, derive)).toBeUndefined();
    expect(idempotencyKeyOf('double', 17, undefined, undefined)).toBeUndefined();
  });

  it('refuses a key that is not a non-empty string, given or derived', () => {
    expect(() => idempotencyKeyOf('charge', 1, { idempotencyKey: '' }, undefined)).toThrow(invalid);
    expect(() => idempotencyKeyOf('charge', 1, { idempotencyKey: 17 as never }, undefined)).toThrow(invalid);
    expect(() => idempotencyKeyOf('charge', 1, undefined, () => '' as string)).toThrow(/non-empty string/);
  });
});
