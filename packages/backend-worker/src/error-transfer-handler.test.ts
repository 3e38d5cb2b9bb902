import { ComputeError } from '@hybridcompute/core';
import { transferHandlers } from 'comlink';
import { describe, expect, it } from 'vitest';
import { deserializeThrown, installErrorTransferHandler, serializeThrown } from './error-transfer-handler.js';

function roundTrip(value: unknown): unknown {
  return deserializeThrown(structuredClone(serializeThrown(value)));
}

describe('the error transfer handler', () => {
  it('keeps a ComputeError whole, cause chain included', () => {
    const original = new ComputeError({ code: 'TASK_FAILED', message: 'outer', taskName: 't', backend: 'b', cause: Object.assign(new RangeError('inner'), { code: 'E_IN' }) });
    const copy = roundTrip(original) as ComputeError;
    expect(ComputeError.isInstance(copy)).toBe(true);
    expect([copy.code, copy.message, copy.taskName, copy.backend]).toEqual(['TASK_FAILED', 'outer', 't', 'b']);
    expect(copy.cause).toBeInstanceOf(RangeError);
    expect((copy.cause as { code: string }).code).toBe('E_IN');
  });

  it("keeps an AggregateError's errors, which are not enumerable", () => {
    const original = new AggregateError([Object.assign(new TypeError('first'), { code: 'E_FIRST' }), 'second'], 'both failed', { cause: 'root' });
    const copy = roundTrip(original) as AggregateError;
    expect(copy).toBeInstanceOf(AggregateError);
    expect([copy.name, copy.message, copy.cause]).toEqual(['AggregateError', 'both failed', 'root']);
    expect(copy.errors).toHaveLength(2);
    expect(copy.errors[0]).toBeInstanceOf(TypeError);
    expect([copy.errors[0].message, copy.errors[0].code, copy.errors[1]]).toEqual(['first', 'E_FIRST', 'second']);
  });

  it('survives a hostile error whose getters throw', () => {
    const hostile = new Error('hostile');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('no');
      },
    });
    const copy = roundTrip(hostile) as Error;
    expect(copy).toBeInstanceOf(Error);
    expect(typeof copy.message).toBe('string');
  });

  it('stops a cyclic cause chain', () => {
    const first = new Error('first') as Error & { cause?: unknown };
    const second = new Error('second', { cause: first });
    first.cause = second;
    let depth = 0;
    for (let link: unknown = roundTrip(first); link instanceof Error; link = link.cause) depth++;
    expect(depth).toBeGreaterThan(2);
    expect(depth).toBeLessThan(20);
  });

  it("reads comlink's own format and passes plain values through", () => {
    const fromComlink = deserializeThrown({ isError: true, value: { name: 'TypeError', message: 'from comlink', stack: 'stack' } }) as Error;
    expect([fromComlink.name, fromComlink.message]).toEqual(['TypeError', 'from comlink']);
    expect(roundTrip(42)).toBe(42);
    expect(roundTrip({ plain: true })).toEqual({ plain: true });
    expect(roundTrip(Symbol.for('x'))).toBe('Symbol(x)');
  });

  it('installs once, keeping comlink’s test for thrown values', () => {
    installErrorTransferHandler();
    const handler = transferHandlers.get('throw');
    installErrorTransferHandler();
    expect(transferHandlers.get('throw')).toBe(handler);
  });
});
