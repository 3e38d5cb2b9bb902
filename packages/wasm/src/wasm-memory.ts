import { wasmArgumentError } from './wasm-argument-error.js';
import type { WasmTypedArrayKind } from './wasm-export-spec.js';

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

interface TypedArrayConstructor {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  from(values: Iterable<number> | Iterable<bigint>): TypedArray;
}

const constructors: Record<WasmTypedArrayKind, TypedArrayConstructor> = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as unknown as Record<WasmTypedArrayKind, TypedArrayConstructor>;

/** Whether `kind` names a typed array this package reads and writes. */
export function isTypedArrayKind(kind: unknown): kind is WasmTypedArrayKind {
  return typeof kind === 'string' && Object.hasOwn(constructors, kind);
}

/** The exports of a module that the alloc / pointer / length pattern uses, checked. */
export interface ModuleMemory {
  readonly memory: WebAssembly.Memory | undefined;
  readonly alloc: ((size: number) => unknown) | undefined;
  readonly dealloc: ((pointer: number, size: number) => unknown) | undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The bytes to copy into memory for an input of `kind` (a string or a typed
 * array; an array of numbers stands for the typed array, since JSON turns
 * typed arrays into objects), and its length in the export's terms.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for an input of another kind.
 */
export function inputBytes(kind: 'string' | WasmTypedArrayKind, input: unknown): { bytes: Uint8Array; length: number } {
  if (kind === 'string') {
    if (typeof input !== 'string') throw wasmArgumentError(`the input must be a string, got ${describeValue(input)}`);
    const bytes = encoder.encode(input);
    return { bytes, length: bytes.length };
  }
  const array = toTypedArray(kind, input);
  return { bytes: new Uint8Array(array.buffer, array.byteOffset, array.byteLength), length: array.length };
}

function toTypedArray(kind: WasmTypedArrayKind, input: unknown): TypedArray {
  if (ArrayBuffer.isView(input) && Object.prototype.toString.call(input) === `[object ${kind}]`) return input as TypedArray;
  if (Array.isArray(input)) {
    const bigints = kind === 'BigInt64Array' || kind === 'BigUint64Array';
    const index = input.findIndex((value: unknown) => (bigints ? typeof value !== 'bigint' : typeof value !== 'number'));
    if (index === -1) return constructors[kind].from(input as number[]);
    throw wasmArgumentError(`input[${index}] must be a ${bigints ? 'bigint' : 'number'}, got ${describeValue(input[index])}`);
  }
  throw wasmArgumentError(`the input must be a ${kind} or an array of ${kind.startsWith('Big') ? 'bigints' : 'numbers'}, got ${describeValue(input)}`);
}

/** Copies `bytes` into memory the module's `alloc(size)` gave, and returns the pointer. */
export function writeToMemory(memory: ModuleMemory, bytes: Uint8Array): number {
  const pointer = memory.alloc!(bytes.length);
  if (typeof pointer !== 'number' || !Number.isInteger(pointer)) {
    throw new TypeError(`alloc(${bytes.length}) returned ${describeValue(pointer)}, not a pointer (an i32)`);
  }
  const address = pointer >>> 0;
  view(memory, address, bytes.length, `alloc(${bytes.length})`).set(bytes);
  return address;
}

/** A copy of what the module left in memory: `length` items of `kind` at `pointer`. */
export function readFromMemory(memory: ModuleMemory, kind: 'string' | WasmTypedArrayKind, pointer: number, length: number): string | TypedArray {
  const itemBytes = kind === 'string' ? 1 : constructors[kind].BYTES_PER_ELEMENT;
  const bytes = view(memory, pointer, length * itemBytes, 'the result').slice();
  if (kind === 'string') return decoder.decode(bytes);
  return new constructors[kind](bytes.buffer, 0, length);
}

// The buffer is read anew each time: memory.grow detaches the old one.
function view(memory: ModuleMemory, address: number, byteLength: number, what: string): Uint8Array {
  const buffer = memory.memory!.buffer;
  if (address + byteLength > buffer.byteLength) {
    throw new RangeError(`${what} points at bytes ${address}..${address + byteLength}, past the end of memory (${buffer.byteLength} bytes)`);
  }
  return new Uint8Array(buffer, address, byteLength);
}

/** A short description of a value for error messages: its type, or its class for objects. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  const kind = typeof value === 'object' ? Object.prototype.toString.call(value).slice(8, -1).replace(/^Object$/, 'object') : typeof value;
  return `${/^[aeiou]/i.test(kind) ? 'an' : 'a'} ${kind}`;
}
