import { describe, expect, it } from 'vitest';
import { ConnectionLimits } from './connection-limits.js';

describe('ConnectionLimits', () => {
  it('admits up to the limit per address, and other addresses beside it', () => {
    const limits = new ConnectionLimits(10, 2);
    expect(limits.admit('10.0.0.1')).toBeUndefined();
    expect(limits.admit('10.0.0.1')).toBeUndefined();
    expect(limits.admit('10.0.0.1')).toMatch(/2 connections open, the limit per address/);
    expect(limits.admit('10.0.0.2')).toBeUndefined();
    expect(limits.open).toBe(3);
    limits.release('10.0.0.1');
    expect(limits.admit('10.0.0.1')).toBeUndefined();
  });

  it('admits up to the limit in all, whatever the address, and counts refused connections nowhere', () => {
    const limits = new ConnectionLimits(2, Number.POSITIVE_INFINITY);
    expect(limits.admit('a')).toBeUndefined();
    expect(limits.admit('b')).toBeUndefined();
    expect(limits.admit('c')).toMatch(/2 connections open, its limit/);
    expect(limits.open).toBe(2);
    limits.release('a');
    limits.release('a');
    // A second release of the same address does not go below zero or free a slot it never held.
    expect(limits.open).toBe(1);
    expect(limits.admit(undefined)).toBeUndefined();
    expect(limits.open).toBe(2);
  });
});
