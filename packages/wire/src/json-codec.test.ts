import { ComputeError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { jsonCodec } from './json-codec.js';

describe('jsonCodec', () => {
  it('encodes text and decodes text or UTF-8 bytes', () => {
    const text = jsonCodec.encode({ task: 'greet', input: { name: 'Ådá' } });
    expect(typeof text).toBe('string');
    expect(jsonCodec.decode(text as string)).toEqual({ task: 'greet', input: { name: 'Ådá' } });
    expect(jsonCodec.decode(new TextEncoder().encode('{"result":[1,2]}'))).toEqual({ result: [1, 2] });
  });

  it.each([
    ['not JSON', '{"task":'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0x7d])],
    ['an empty body', ''],
  ])('decodes %s into PROTOCOL_ERROR', (_label, data) => {
    let thrown: unknown;
    try {
      jsonCodec.decode(data);
    } catch (error) {
      thrown = error;
    }
    expect(ComputeError.isInstance(thrown) && thrown.code).toBe('PROTOCOL_ERROR');
  });

  it('reads a __proto__ key as an own property', () => {
    const decoded = jsonCodec.decode('{"__proto__":{"polluted":true}}') as object;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
