import { ComputeError, messageOf } from '@hybridcompute/core';
import { Packr } from 'msgpackr';
import { findCloneRefusal, needsMsgpackMarks } from './find-clone-mismatch.js';
import { markForMsgpack } from './mark-for-msgpack.js';
import type { WireCodec } from './wire-codec.js';
import { contentTypeOf } from './wire-encoding.js';

// structuredClone: Set, Error (name, message, cause), RegExp, shared references and cycles;
// moreTypes: every typed array, ArrayBuffer and DataView. No records: a plain object is a plain
// MessagePack map (read back as an object, a __proto__ key as data), which packs and reads at about
// the cost of JSON. Maps, -0 and cycles through objects are carried by our extensions instead
// (mark-for-msgpack.ts), in the rare message that holds one. variableMapSize: an object of any
// number of keys (a fixed 16-bit header would refuse 65,536 and more).
const packr = new Packr({ structuredClone: true, moreTypes: true, useRecords: false, mapsAsObjects: true, variableMapSize: true });

/**
 * The MessagePack codec (msgpackr with its structured-clone extensions):
 * every value of the structured-clone set travels and comes back the same,
 * typed arrays as raw bytes. Values structured clone refuses (functions,
 * symbols) are refused by `mismatchOf` too.
 *
 * @example
 * ```ts
 * const bytes = msgpackCodec.encode({ result: new Map([[1, new Float64Array([0.5])]]) });
 * msgpackCodec.decode(bytes); // { result: Map { 1 => Float64Array [0.5] } }
 * ```
 */
export const msgpackCodec: WireCodec = Object.freeze({
  encoding: 'msgpack',
  contentType: contentTypeOf.msgpack,
  mismatchOf: findCloneRefusal,
  encode(message: unknown): Uint8Array {
    return packr.pack(needsMsgpackMarks(message) ? markForMsgpack(message) : message);
  },
  decode(data: string | Uint8Array): unknown {
    if (typeof data === 'string') {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: 'Received text where MessagePack was expected' });
    }
    try {
      return packr.unpack(data);
    } catch (error) {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `Received a message that is not MessagePack: ${messageOf(error)}`, cause: error });
    }
  },
  decodeSequence(bytes: Uint8Array, onMessage: (message: unknown) => void): number {
    let used = 0;
    try {
      packr.unpackMultiple(bytes, (message: unknown, _start?: number, end?: number) => {
        onMessage(message);
        used = end ?? bytes.byteLength;
      });
    } catch (error) {
      // A value cut off at the end is not an error: the rest of it is on its way.
      if ((error as { incomplete?: unknown }).incomplete !== true) throw error;
    }
    return used;
  },
} satisfies WireCodec);
