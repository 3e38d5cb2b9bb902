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
} satisfies WireCodec);
