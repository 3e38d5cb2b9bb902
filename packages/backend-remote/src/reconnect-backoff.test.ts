import { describe, expect, it } from 'vitest';
import { ReconnectBackoff } from './reconnect-backoff.js';

describe('ReconnectBackoff', () => {
  it('refuses with the last failure for a window that doubles, up to 5 s', () => {
    const backoff = new ReconnectBackoff();
    expect(backoff.refusal(0)).toBeUndefined();
    const first = new Error('refused');
    backoff.failed(first, 0);
    expect(backoff.refusal(99)).toBe(first);
    expect(backoff.refusal(100)).toBeUndefined();
    backoff.failed(new Error('again'), 100);
    expect(backoff.refusal(299)).toBeInstanceOf(Error);
    expect(backoff.refusal(300)).toBeUndefined();
    for (let attempt = 0; attempt < 20; attempt++) backoff.failed(first, 1_000);
    expect(backoff.refusal(5_999)).toBe(first);
    expect(backoff.refusal(6_000)).toBeUndefined();
  });

  it('starts over after a success', () => {
    const backoff = new ReconnectBackoff();
    backoff.failed(new Error('x'), 0);
    backoff.failed(new Error('x'), 0);
    backoff.succeeded();
    expect(backoff.refusal(0)).toBeUndefined();
    backoff.failed(new Error('x'), 0);
    expect(backoff.refusal(100)).toBeUndefined();
  });
});
