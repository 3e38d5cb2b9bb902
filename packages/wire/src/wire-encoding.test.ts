import { describe, expect, it } from 'vitest';
import { encodingOfContentType, parseEncodings } from './wire-encoding.js';

describe('encodingOfContentType', () => {
  it('names MessagePack, JSON, or nothing it knows', () => {
    expect(['application/vnd.msgpack', 'application/msgpack', 'Application/X-MsgPack; q=1'].map(encodingOfContentType)).toEqual(['msgpack', 'msgpack', 'msgpack']);
    expect(['application/json', 'application/json; charset=utf-8', 'application/problem+json', '', undefined, null].map(encodingOfContentType)).toEqual(
      Array(6).fill('json'),
    );
    expect(['text/plain', 'multipart/form-data', 'application/x-www-form-urlencoded'].map(encodingOfContentType)).toEqual([undefined, undefined, undefined]);
  });

  it('answers the same for a value asked again, between and after others (it remembers the last one)', () => {
    const asked = ['application/vnd.msgpack', 'application/vnd.msgpack', 'text/plain', 'text/plain', 'application/json', 'application/vnd.msgpack', 'text/plain'];
    expect(asked.map(encodingOfContentType)).toEqual(['msgpack', 'msgpack', undefined, undefined, 'json', 'msgpack', undefined]);
  });
});

describe('parseEncodings', () => {
  it('keeps the encodings it knows, once each, from a header or a list', () => {
    expect(parseEncodings('msgpack, json')).toEqual(['msgpack', 'json']);
    expect(parseEncodings(['MSGPACK', 'cbor', 'msgpack', 5])).toEqual(['msgpack']);
    expect(parseEncodings(undefined)).toEqual([]);
    expect(parseEncodings({ length: 1, 0: 'json' })).toEqual([]);
  });
});
