import { wasmArgumentError } from './wasm-argument-error.js';
import type { ExportSignature, WasmValueType } from './read-export-signatures.js';
import type { ResolvedExportSpec } from './wasm-export-spec.js';
import { describeValue, inputBytes, readFromMemory, writeToMemory, type ModuleMemory } from './wasm-memory.js';

/** An instantiated module, ready to call. */
export interface ReadyModule extends ModuleMemory {
  readonly exports: WebAssembly.Exports;
  /** Known when the module's bytes were at hand; otherwise only parameter counts are checked. */
  readonly signatures: ReadonlyMap<string, ExportSignature> | undefined;
}

type ExportedFunction = (...args: unknown[]) => unknown;

const minInt32 = -(2 ** 31);
const maxUint32 = 2 ** 32 - 1;

/**
 * Makes the function that calls one export the way its spec says: checks and
 * converts the input, copies memory in and out, and frees what it allocated.
 * Made once per instance, so the checks a call needs are worked out once.
 *
 * The function throws a TypeError (code `INVALID_REQUEST`) for an input the
 * export cannot take, and whatever the export throws (a trap is a
 * `WebAssembly.RuntimeError`).
 */
export function exportCaller(ready: ReadyModule, spec: ResolvedExportSpec): (input: unknown) => unknown {
  const exported = ready.exports[spec.exportName] as ExportedFunction;
  const signature = ready.signatures?.get(spec.exportName);
  if (spec.input !== 'number') {
    const inputKind = spec.input;
    return (input) => {
      const { bytes, length } = inputBytes(inputKind, input);
      const pointer = writeToMemory(ready, bytes);
      const output = outputOf(ready, spec, exported(pointer, length), { pointer, length });
      ready.dealloc?.(pointer, bytes.length);
      return output;
    };
  }
  const checked = (input: unknown): unknown => outputOf(ready, spec, exported(...numericArguments(input, signature, exported.length)), undefined);
  // The common shapes of a call, checked inline; anything else takes the path that explains what is wrong.
  const fits = signature?.params.map((type) => (type === 'i32' ? isInt32 : type === 'f32' || type === 'f64' ? isNumber : undefined));
  if (spec.output !== 'number' || fits === undefined || !fits.every((fit) => fit !== undefined)) return checked;
  const [first, second] = fits as ((value: unknown) => boolean)[];
  switch (fits.length) {
    case 0:
      return (input) => (input === undefined ? exported() : checked(input));
    case 1:
      return (input) => (first!(input) ? exported(input) : checked(input));
    case 2:
      return (input) => (Array.isArray(input) && input.length === 2 && first!(input[0]) && second!(input[1]) ? exported(input[0], input[1]) : checked(input));
    default:
      return checked;
  }
}

function isNumber(value: unknown): boolean {
  return typeof value === 'number';
}

function isInt32(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= minInt32 && value <= maxUint32;
}

function numericArguments(input: unknown, signature: ExportSignature | undefined, parameterCount: number): unknown[] {
  const args: unknown[] = input === undefined || (input === null && parameterCount === 0) ? [] : Array.isArray(input) ? input : [input];
  const expected = signature?.params.length ?? parameterCount;
  if (args.length !== expected) {
    const types = signature === undefined || expected === 0 ? '' : ` (${signature.params.join(', ')})`;
    throw wasmArgumentError(`expected ${expected} argument${expected === 1 ? '' : 's'}${types}, got ${args.length}`);
  }
  return args.map((value, index) => numericArgument(value, signature?.params[index], args.length === 1 && !Array.isArray(input) ? 'the input' : `input[${index}]`));
}

function numericArgument(value: unknown, type: WasmValueType | undefined, path: string): unknown {
  if (type === 'i64') {
    if (typeof value === 'bigint') return value;
    if (Number.isSafeInteger(value)) return BigInt(value as number);
    throw wasmArgumentError(`${path} must be a bigint or a safe integer (the parameter is an i64), got ${describeNumber(value)}`);
  }
  if (typeof value !== 'number' && !(type === undefined && typeof value === 'bigint')) {
    throw wasmArgumentError(`${path} must be a number, got ${describeValue(value)}`);
  }
  // The JavaScript API would truncate 2.5 to 2 or wrap 2^32 to 0: refuse instead of changing the value.
  if (type === 'i32' && !(Number.isInteger(value) && (value as number) >= minInt32 && (value as number) <= maxUint32)) {
    throw wasmArgumentError(`${path} must be an integer from -2^31 to 2^32 - 1 (the parameter is an i32), got ${String(value)}`);
  }
  return value;
}

function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

function outputOf(ready: ReadyModule, spec: ResolvedExportSpec, result: unknown, input: { pointer: number; length: number } | undefined): unknown {
  switch (spec.output) {
    case 'number':
      return result;
    case 'bigint':
      return typeof result === 'bigint' ? result : BigInt(result as number);
    case 'input':
      return readFromMemory(ready, spec.input as 'string', input!.pointer, input!.length);
    default: {
      const [pointer, length] = pointerAndLength(result, spec.exportName);
      const output = readFromMemory(ready, spec.output, pointer, length);
      ready.dealloc?.(pointer, spec.output === 'string' ? length : (output as { byteLength: number }).byteLength);
      return output;
    }
  }
}

// Two results (multi-value), or one i64 packed as pointer << 32 | length.
function pointerAndLength(result: unknown, exportName: string): [number, number] {
  if (Array.isArray(result) && result.length === 2 && result.every((part) => typeof part === 'number')) {
    return [(result[0] as number) >>> 0, (result[1] as number) >>> 0];
  }
  if (typeof result === 'bigint') return [Number(BigInt.asUintN(64, result) >> 32n), Number(BigInt.asUintN(32, result))];
  throw new TypeError(
    `export '${exportName}' returned ${describeValue(result)}: a result in memory must be (pointer, length) as two i32 results or one i64 (pointer << 32 | length)`,
  );
}

