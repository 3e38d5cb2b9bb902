import { addExtension } from 'msgpackr';

// Our extension types (-0, Map, object, error), clear of msgpackr's own (0x42, 0x52, b, e, i, p, r, s, t, x, 0xff and -1 for dates).
const negativeZeroType = 0x30;
const mapEntriesType = 0x31;
const objectEntriesType = 0x32;
const errorEntriesType = 0x33;

/**
 * Stands for -0 in a message: MessagePack writes -0 as the integer 0, and
 * a value must come back as it left.
 */
class NegativeZero {}

/**
 * Stands for a Map: carries its entries as one flat array `[key, value, key, value, …]`.
 * The array, not the wrapper, is what a second reference to the same Map
 * points at, so msgpackr's own references rebuild shared Maps and cycles.
 */
class MapEntries {
  constructor(readonly entries: unknown[]) {}
}

/**
 * Stands for a plain object in a message that needs marks: carries its
 * properties as `[key, value, key, value, …]`. msgpackr cannot rebuild a
 * cycle through a plain MessagePack map (its placeholder for one is a Map);
 * through an array it can.
 */
class ObjectEntries {
  constructor(readonly entries: unknown[]) {}
}

/**
 * Stands for an error in a message that needs marks: carries `[name, message, cause]`
 * in an array, for the same reason (msgpackr's own error extension loses a cycle
 * through an error's cause).
 */
class ErrorEntries {
  constructor(readonly entries: unknown[]) {}
}

addExtension({ Class: NegativeZero, type: negativeZeroType, write: () => 0, read: () => -0 });
addExtension({ Class: MapEntries, type: mapEntriesType, write: (marked: MapEntries) => marked.entries, read: (entries: unknown) => fill(entries, mapsReadFrom, newMap, setEntry) });
addExtension({ Class: ObjectEntries, type: objectEntriesType, write: (marked: ObjectEntries) => marked.entries, read: (entries: unknown) => fill(entries, objectsReadFrom, newObject, setProperty) });
addExtension({ Class: ErrorEntries, type: errorEntriesType, write: (marked: ErrorEntries) => marked.entries, read: readError });

// What each entries array was read into. In a cycle, msgpackr hands the inner reference the array
// before it is filled, and the outer one the same array once it is: both must get the same value.
// One table per kind, so that a peer pointing both extensions at one array cannot make a Map an object.
const mapsReadFrom = new WeakMap<object, Map<unknown, unknown>>();
const objectsReadFrom = new WeakMap<object, Record<string, unknown>>();
const errorsReadFrom = new WeakMap<object, Error>();

// The classes an error is built as, as msgpackr's own error extension does: a peer cannot name another global.
const errorClasses = new Map<string, { prototype: Error }>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError].map((errorClass) => [errorClass.name, errorClass]),
);

// Built empty when first reached (inside its own cause, the array is not filled yet), filled once it is.
function readError(entries: unknown): Error {
  if (!Array.isArray(entries) || (entries.length !== 0 && (entries.length !== 3 || typeof entries[0] !== 'string' || typeof entries[1] !== 'string'))) {
    throw new TypeError('an error extension must carry [name, message, cause]');
  }
  let error = errorsReadFrom.get(entries);
  if (error === undefined) {
    error = new Error();
    errorsReadFrom.set(entries, error);
  }
  if (entries.length === 0) return error;
  const [name, message, cause] = entries as [string, string, unknown];
  const known = errorClasses.get(name);
  Object.setPrototypeOf(error, (known ?? Error).prototype);
  if (known === undefined) error.name = name;
  Object.defineProperty(error, 'message', { value: message, configurable: true, writable: true });
  Object.defineProperty(error, 'cause', { value: cause, configurable: true, writable: true });
  return error;
}

function fill<Built extends object>(entries: unknown, readFrom: WeakMap<object, Built>, build: () => Built, set: (built: Built, key: unknown, value: unknown) => void): Built {
  if (!Array.isArray(entries) || entries.length % 2 !== 0) throw new TypeError('a Map or object extension must carry [key, value, …] pairs');
  let built = readFrom.get(entries);
  if (built === undefined) {
    built = build();
    readFrom.set(entries, built);
  }
  for (let index = 0; index < entries.length; index += 2) set(built, entries[index], entries[index + 1]);
  return built;
}

const newMap = (): Map<unknown, unknown> => new Map();
const newObject = (): Record<string, unknown> => ({});

function setEntry(map: Map<unknown, unknown>, key: unknown, value: unknown): void {
  map.set(key, value);
}

function setProperty(object: Record<string, unknown>, key: unknown, value: unknown): void {
  if (typeof key !== 'string') throw new TypeError('an object extension’s keys must be strings');
  // As msgpackr reads a plain map: a __proto__ key is data under another name, never the prototype.
  object[key === '__proto__' ? '__proto_' : key] = value;
}

/**
 * A copy of `value` that msgpackr packs without changing it: -0 marked,
 * Maps, plain objects and errors carried by our extensions. The same object maps
 * to the same entries array, so shared references and cycles stay so.
 * Only for the rare message that needs it (`needsMsgpackMarks`).
 *
 * @internal The MessagePack codec's `encode`.
 */
export function markForMsgpack(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? new NegativeZero() : value;
  if (typeof value !== 'object' || value === null || isLeaf(value)) return value;
  if (value instanceof Map) return new MapEntries(entriesOf(value, seen, (entries) => {
    for (const [key, item] of value) entries.push(markForMsgpack(key, seen), markForMsgpack(item, seen));
  }));
  if (value instanceof Error) {
    const error = value;
    return new ErrorEntries(entriesOf(error, seen, (entries) => {
      entries.push(error.name, error.message, markForMsgpack(error.cause, seen));
    }));
  }
  if (!Array.isArray(value) && !(value instanceof Set)) {
    // Any other object travels as its own enumerable properties, as structured clone sends it.
    return new ObjectEntries(entriesOf(value, seen, (entries) => {
      for (const key of Object.keys(value)) entries.push(key, markForMsgpack((value as Record<string, unknown>)[key], seen));
    }));
  }
  const done = seen.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(markForMsgpack(item, seen));
    return copy;
  }
  const copy = new Set();
  seen.set(value, copy);
  for (const item of value) copy.add(markForMsgpack(item, seen));
  return copy;
}

// The entries array `value` is carried by, made (and filled by `add`) the first time it is reached.
function entriesOf(value: object, seen: Map<object, unknown>, add: (entries: unknown[]) => void): unknown[] {
  const known = seen.get(value) as unknown[] | undefined;
  if (known !== undefined) return known;
  const entries: unknown[] = [];
  seen.set(value, entries);
  add(entries);
  return entries;
}

// Typed arrays, buffers, dates and regular expressions travel as they are: nothing inside to mark.
function isLeaf(value: object): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp;
}
