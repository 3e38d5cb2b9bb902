import { describe, expect, it } from 'vitest';
import { jsonCodec } from './json-codec.js';
import { msgpackCodec } from './msgpack-codec.js';
import { encodeRecord, RecordDecoder, streamEncodingOf, streamMediaTypeOf } from './record-stream.js';

const bytesOf = (encoded: string | Uint8Array): Uint8Array => (typeof encoded === 'string' ? new TextEncoder().encode(encoded) : encoded);

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  return all;
}

describe('streamEncodingOf', () => {
  it('reads the stream media types out of an Accept list, and nothing else', () => {
    expect(streamEncodingOf('application/x-ndjson')).toBe('json');
    expect(streamEncodingOf(`application/json, ${streamMediaTypeOf.msgpack};q=0.9`)).toBe('msgpack');
    expect(streamEncodingOf('application/json')).toBeUndefined();
    expect(streamEncodingOf(undefined)).toBeUndefined();
    expect(streamEncodingOf('text/x-ndjsonish')).toBeUndefined();
  });

  it('takes a media type with q=0 as refused, not asked for', () => {
    expect(streamEncodingOf('application/x-ndjson;q=0')).toBeUndefined();
    expect(streamEncodingOf(`${streamMediaTypeOf.msgpack}; q=0.000, application/x-ndjson;q=0.5`)).toBe('json');
    expect(streamEncodingOf('application/x-ndjson;q=0.01')).toBe('json');
  });
});

describe('RecordDecoder', () => {
  for (const codec of [jsonCodec, msgpackCodec]) {
    it(`reads ${codec.encoding} records cut at every byte`, () => {
      const records = [{ progress: { step: 1 } }, { chunk: 'a\nb' }, { chunk: [1, 2, 3] }, { end: true }];
      const bytes = concat(records.map((record) => bytesOf(encodeRecord(codec, record))));
      for (let cut = 0; cut <= bytes.byteLength; cut++) {
        const decoder = new RecordDecoder(codec);
        const read = [...decoder.push(bytes.subarray(0, cut)), ...decoder.push(bytes.subarray(cut))];
        expect(read).toEqual(records);
        expect(() => decoder.end()).not.toThrow();
      }
    });

    it(`refuses a ${codec.encoding} stream that ends inside a record`, () => {
      const bytes = bytesOf(encodeRecord(codec, { chunk: 'a long enough value' }));
      const decoder = new RecordDecoder(codec);
      expect(decoder.push(bytes.subarray(0, bytes.byteLength - 2))).toEqual([]);
      expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
    });
  }

  it('hands out the records before a line that is not JSON, then refuses with PROTOCOL_ERROR', () => {
    const decoder = new RecordDecoder(jsonCodec);
    expect(decoder.push(bytesOf('{"chunk":1}\nnot json\n'))).toEqual([{ chunk: 1 }]);
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
    expect(() => new RecordDecoder(jsonCodec).push(bytesOf('not json\n'))).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });
});
