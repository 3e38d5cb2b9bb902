import { describe, expect, it } from 'vitest';
import { maxTimerDelay } from '../is-timer-delay.js';
import { isRunTimeout, noCallOptions, readRunOptions } from './read-run-options.js';

describe('readRunOptions', () => {
  it('reads no options, and options with neither signal nor timeout, as the shared empty options', () => {
    expect(readRunOptions('t', undefined)).toBe(noCallOptions);
    expect(readRunOptions('t', {})).toBe(noCallOptions);
    expect(readRunOptions('t', { signal: null, strategy: 'local' })).toBe(noCallOptions);
  });

  it('keeps a signal and a timeout', () => {
    const signal = new AbortController().signal;
    expect(readRunOptions('t', { signal, timeout: 0 })).toEqual({ signal, timeout: 0 });
    expect(readRunOptions('t', { timeout: maxTimerDelay })).toEqual({ signal: undefined, timeout: maxTimerDelay });
  });

  it.each([
    ['a non-object', 5, 'options must be an object'],
    ['null', null, 'got null'],
    ['a signal that is a plain object', { signal: {} }, 'signal must be an AbortSignal, got object'],
    ['a negative timeout', { timeout: -1 }, 'got -1'],
    ['a string timeout', { timeout: 'x' }, 'got "x"'],
    ['a NaN timeout', { timeout: Number.NaN }, 'got NaN'],
    ['a timeout past setTimeout’s limit', { timeout: 2 ** 40 }, `from 0 to ${maxTimerDelay}`],
  ])('throws INVALID_REQUEST for %s, naming the task', (_label, options, message) => {
    let thrown: unknown;
    try {
      readRunOptions('resize', options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((thrown as Error).message).toContain("runTask('resize')");
    expect((thrown as Error).message).toContain(message);
  });
});

describe('isRunTimeout', () => {
  it('takes 0 up to the timer limit and nothing else', () => {
    expect([0, 0.5, 1_000, maxTimerDelay].map(isRunTimeout)).toEqual([true, true, true, true]);
    expect([-1, Number.NaN, Number.POSITIVE_INFINITY, maxTimerDelay + 1, '5', null].map(isRunTimeout)).toEqual(Array(6).fill(false));
  });
});
