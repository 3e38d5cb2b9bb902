import { ComputeError, messageOf } from '@hybridcompute/core';
import { addExtension, Packr } from 'msgpackr';
import { findCloneRefusal, holdsNegativeZero } from './find-clone-mismatch.js';
import type { WireCodec } from './wire-codec.js';
import { contentTypeOf } from './wire-encoding.js';

/**
 * Stands for -0 in a message: MessagePack writes -0 as the integer 0, and
 * a value must come back as it left.
 */
class NegativeZero {}

// Chosen clear of msgpackr's own extension types (b, e, i, p, r, s, t, x and -1 for dates).
const negativeZeroType = 0x30;
addExtension({
  Class: NegativeZero,
  type: negativeZeroType,
  write: () => 0,
  read: () => -0,
});

// structuredClone: Map, Set, Error (name, message, cause), RegExp, cycles and shared references;
// moreTypes: every typed array, ArrayBuffer and DataView. Records keep Maps apart from objects.
const packr = new Packr({ structuredClone: true, moreTypes: true });

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
    return packr.pack(holdsNegativeZero(message) ? markNegativeZeros(message, new Map()) : message);
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

// Rare (a -0 somewhere in the message), so a copy is fine; `seen` keeps shared references and cycles.
function markNegativeZeros(value: unknown, seen: Map<object, unknown>): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? new NegativeZero() : value;
  if (typeof value !== 'object' || value === null) return value;
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(markNegativeZeros(item, seen));
    return copy;
  }
  if (value instanceof Map) {
    const copy = new Map();
    seen.set(value, copy);
    for (const [key, item] of value) copy.set(markNegativeZeros(key, seen), markNegativeZeros(item, seen));
    return copy;
  }
  if (value instanceof Set) {
    const copy = new Set();
    seen.set(value, copy);
    for (const item of value) copy.add(markNegativeZeros(item, seen));
    return copy;
  }
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {};
    seen.set(value, copy);
    for (const key of Object.keys(value)) copy[key] = markNegativeZeros((value as Record<string, unknown>)[key], seen);
    return copy;
  }
  return value;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
