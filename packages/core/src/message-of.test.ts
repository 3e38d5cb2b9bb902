import { describe, expect, it } from 'vitest';
import { messageOf } from './message-of.js';

describe('messageOf', () => {
  it('takes an error’s message, or the value as a string', () => {
    expect(messageOf(new RangeError('out of range'))).toBe('out of range');
    expect(messageOf({ message: 'plain object' })).toBe('plain object');
    expect(messageOf('a string')).toBe('a string');
    expect(messageOf(42)).toBe('42');
    expect(messageOf(undefined)).toBe('undefined');
  });

  it('never throws, whatever was thrown', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    const throwing = {
      get message(): string {
        throw new Error('no');
      },
    };
    for (const value of [Object.create(null), proxy, throwing, Symbol('s')]) {
      expect(typeof messageOf(value)).toBe('string');
    }
  });
});
