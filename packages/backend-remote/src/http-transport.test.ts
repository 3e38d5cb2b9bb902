import { describe, expect, it } from 'vitest';
import { answerOf, maxConcurrencyOf, offeredEncodings } from './http-transport.js';

const headersOf =
  (headers: Record<string, string | string[]>) =>
  (name: string): string | string[] | undefined =>
    headers[name];

describe('answerOf', () => {
  it('reads a JSON body as text and the headers every answer carries', () => {
    const answer = answerOf(503, new TextEncoder().encode('{"error":"busy"}'), headersOf({ 'content-type': 'application/json', 'retry-after': '1', 'x-compute-max-concurrency': '64', 'x-compute-encodings': 'msgpack, json' }));
    expect(answer).toEqual({ status: 503, retryAfter: '1', text: '{"error":"busy"}', bytes: undefined, maxConcurrency: 64, encodings: ['msgpack', 'json'] });
  });

  it('keeps a MessagePack body as bytes, and leaves out what the server did not send', () => {
    const body = new Uint8Array([0x81, 0xa6]);
    const answer = answerOf(200, body, headersOf({ 'content-type': 'application/vnd.msgpack' }));
    expect(answer).toMatchObject({ status: 200, text: '', retryAfter: undefined, maxConcurrency: undefined, encodings: undefined });
    expect(answer.bytes).toBe(body);
  });
});

describe('offeredEncodings', () => {
  it('parses each header value it is given, the same value giving the same (frozen) list', () => {
    const first = offeredEncodings('msgpack, json');
    expect(first).toEqual(['msgpack', 'json']);
    expect(offeredEncodings('msgpack, json')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(offeredEncodings('json')).toEqual(['json']);
    expect(offeredEncodings('cbor')).toEqual([]);
    expect(offeredEncodings(undefined)).toBeUndefined();
    expect(offeredEncodings('msgpack, json')).toEqual(['msgpack', 'json']);
  });
});

describe('maxConcurrencyOf', () => {
  it('reads a positive integer, whatever it was asked before', () => {
    expect(['64', '64', 'lots', '0', ' 8 ', ['16', '32'], undefined, '64', '1234567890'].map(maxConcurrencyOf)).toEqual([64, 64, undefined, undefined, 8, 16, undefined, 64, undefined]);
  });
});
