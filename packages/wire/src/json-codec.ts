import { ComputeError, messageOf } from '@hybridcompute/core';
import { findJsonMismatch } from './find-json-mismatch.js';
import type { WireCodec } from './wire-codec.js';
import { contentTypeOf } from './wire-encoding.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON codec: what `@hybrid-compute/remote` peers speak, and the
 * default toward a server that offers nothing else. It refuses, through
 * `mismatchOf`, every value JSON would change.
 *
 * @example
 * ```ts
 * jsonCodec.mismatchOf({ pixels: new Uint8Array(4) }, 'input'); // 'input.pixels: a Uint8Array cannot travel as JSON'
 * jsonCodec.decode('{"result":42}'); // { result: 42 }
 * ```
 */
export const jsonCodec: WireCodec = Object.freeze({
  encoding: 'json',
  contentType: contentTypeOf.json,
  mismatchOf: findJsonMismatch,
  encode(message: unknown): string {
    return JSON.stringify(message);
  },
  decode(data: string | Uint8Array): unknown {
    try {
      // A JSON.parse'd "__proto__" key is an own property, never the prototype.
      return JSON.parse(typeof data === 'string' ? data : decoder.decode(data)) as unknown;
    } catch (error) {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `Received a message that is not JSON: ${messageOf(error)}`, cause: error });
    }
  },
  decodeSequence(bytes: Uint8Array, onMessage: (message: unknown) => void): number {
    let start = 0;
    for (let end = bytes.indexOf(newline); end !== -1; end = bytes.indexOf(newline, start)) {
      const line = bytes.subarray(start, end);
      start = end + 1;
      if (isBlankLine(line)) continue;
      onMessage(JSON.parse(decoder.decode(line)) as unknown);
    }
    return start;
  },
} satisfies WireCodec);

const newline = 0x0a;

/**
 * Whether `bytes` hold only whitespace (NDJSON allows blank lines).
 *
 * @internal For the record reader; not exported from the package.
 */
export function isBlankLine(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09 && byte !== newline) return false;
  return true;
}
