import { ComputeError, messageOf } from '@hybridcompute/core';
import { Packr } from 'msgpackr';
import { findCloneRefusal, needsMsgpackMarks } from './find-clone-mismatch.js';
import { markForMsgpack } from './mark-for-msgpack.js';
import type { WireCodec } from './wire-codec.js';
import { contentTypeOf } from './wire-encoding.js';

// moreTypes: Set, Error (name, message, cause), RegExp, every typed array, ArrayBuffer and DataView.
// No records: a plain object is a plain MessagePack map (read back as an object, a __proto__ key as
// data), which packs and reads at about the cost of JSON. variableMapSize: an object of any number of
// keys (a fixed 16-bit header would refuse 65,536 and more).
const options = { moreTypes: true, useRecords: false, mapsAsObjects: true, variableMapSize: true } as const;
// structuredClone adds references (shared values and cycles): it reads every message, and packs the
// rare one that needs marks (a -0, a Map or an object reached twice, see mark-for-msgpack.ts). The
// others are packed without references, into the same bytes, without a Map of every object.
const clonePackr = new Packr({ ...options, structuredClone: true });
const plainPackr = new Packr(options);

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
    return needsMsgpackMarks(message) ? clonePackr.pack(markForMsgpack(message)) : plainPackr.pack(message);
  },
  decode(data: string | Uint8Array): unknown {
    if (typeof data === 'string') {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: 'Received text where MessagePack was expected' });
    }
    try {
      return clonePackr.unpack(data);
    } catch (error) {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `Received a message that is not MessagePack: ${messageOf(error)}`, cause: error });
    }
  },
  decodeSequence(bytes: Uint8Array, onMessage: (message: unknown) => void): number {
    let used = 0;
    try {
      clonePackr.unpackMultiple(bytes, (message: unknown, _start?: number, end?: number) => {
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
