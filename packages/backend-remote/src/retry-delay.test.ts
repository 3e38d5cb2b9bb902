import { describe, expect, it } from 'vitest';
import { rememberRetryAfter, retryDelay } from './retry-delay.js';

describe('retryDelay', () => {
  it('backs off exponentially without Retry-After, up to 2 s', () => {
    const error = new Error('reset');
    expect([1, 2, 3, 10].map((attempt) => retryDelay(error, attempt))).toEqual([100, 200, 400, 2_000]);
  });

  it('honours Retry-After in seconds and as an HTTP date, capped at 5 s', () => {
    const seconds = new Error('busy');
    rememberRetryAfter(seconds, '2');
    expect(retryDelay(seconds, 1)).toBe(2_000);
    const date = new Error('busy');
    const now = Date.parse('2026-01-01T00:00:00Z');
    rememberRetryAfter(date, new Date(now + 1_500).toUTCString());
    expect(retryDelay(date, 1, now)).toBe(1_000);
    const far = new Error('busy');
    rememberRetryAfter(far, '3600');
    expect(retryDelay(far, 1)).toBe(5_000);
  });

  it('falls back to the backoff for a Retry-After it cannot read', () => {
    const error = new Error('busy');
    rememberRetryAfter(error, 'soon');
    expect(retryDelay(error, 1)).toBe(100);
  });
});
