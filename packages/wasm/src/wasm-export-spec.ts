import type { ComputeTaskInterface } from '@hybridcompute/core';

/**
 * The typed arrays an export can take or give through the module's memory,
 * by constructor name.
 *
 * @example
 * ```ts
 * const kind: WasmTypedArrayKind = 'Float64Array';
 * const tasks = wasmTasks(source, { exports: { sum: { input: kind } } });
 * ```
 */
export type WasmTypedArrayKind =
  | 'Int8Array'
  | 'Uint8Array'
  | 'Uint8ClampedArray'
  | 'Int16Array'
  | 'Uint16Array'
  | 'Int32Array'
  | 'Uint32Array'
  | 'Float32Array'
  | 'Float64Array'
  | 'BigInt64Array'
  | 'BigUint64Array';

/**
 * What an export's task takes:
 * - `'number'`: the export's own parameters, as a number or an array of
 *   numbers (a bigint, or a safe integer, for an `i64` parameter);
 * - `'string'`: a string, copied into the module's memory as UTF-8 and passed as `(pointer, byteLength)`;
 * - a typed array's name: that typed array (or an array of numbers), copied
 *   into memory and passed as `(pointer, length)`, `length` counting elements.
 *
 * @example
 * ```ts
 * const input: WasmInputKind = 'string'; // upper(ptr, len)
 * ```
 */
export type WasmInputKind = 'number' | 'string' | WasmTypedArrayKind;

/**
 * What an export's task returns:
 * - `'number'`: the export's result as it is (an `i32`, `f32` or `f64`);
 * - `'bigint'`: an `i64` result, as a bigint;
 * - `'string'` or a typed array's name: a result the export left in memory and
 *   described by a pointer and a length (elements; bytes for a string),
 *   returned either as two results (multi-value) or packed in one `i64` as
 *   `pointer << 32 | length`; it is copied out, then given to `dealloc`;
 * - `'input'`: the input's typed array as the export left it (changed in place).
 *
 * @example
 * ```ts
 * const output: WasmOutputKind = 'input'; // scale(ptr, len) changes the array in place
 * ```
 */
export type WasmOutputKind = 'number' | 'bigint' | 'string' | WasmTypedArrayKind | 'input';

/**
 * How one export is called: what its task takes and what it returns.
 * `'number'` is `{ input: 'number', output: 'number' }`, `'bigint'` is
 * `{ input: 'number', output: 'bigint' }`.
 *
 * @example
 * ```ts
 * const specs: Record<string, WasmExportSpec> = {
 *   add: 'number',
 *   mul64: 'bigint',
 *   checksum: { input: 'Uint8Array' },
 *   upper: { input: 'string', output: 'string' },
 * };
 * ```
 */
export type WasmExportSpec = 'number' | 'bigint' | { readonly input?: WasmInputKind; readonly output?: WasmOutputKind };

/**
 * The exports to make tasks of: a list of names (each a numeric export,
 * `'number'`), or a record from export name to {@link WasmExportSpec}.
 *
 * @example
 * ```ts
 * const numeric: WasmExportList = ['add', 'fib'];
 * const mixed: WasmExportList = { add: 'number', checksum: { input: 'Uint8Array' } };
 * ```
 */
export type WasmExportList = readonly string[] | { readonly [exportName: string]: WasmExportSpec };

/**
 * The input of a numeric export's task: its arguments, one number alone or
 * an array (bigints for `i64` parameters; a safe integer is taken too), or
 * nothing for an export without parameters.
 *
 * @example
 * ```ts
 * const one: WasmNumericInput = 10; // fib(10)
 * const two: WasmNumericInput = [2, 3]; // add(2, 3)
 * const none: WasmNumericInput = undefined; // answer()
 * ```
 */
export type WasmNumericInput = number | bigint | readonly (number | bigint)[] | undefined;

/**
 * Each typed array kind's type, by name.
 *
 * @example
 * ```ts
 * type Pixels = WasmTypedArrays['Uint8ClampedArray']; // Uint8ClampedArray
 * ```
 */
export interface WasmTypedArrays {
  Int8Array: Int8Array;
  Uint8Array: Uint8Array;
  Uint8ClampedArray: Uint8ClampedArray;
  Int16Array: Int16Array;
  Uint16Array: Uint16Array;
  Int32Array: Int32Array;
  Uint32Array: Uint32Array;
  Float32Array: Float32Array;
  Float64Array: Float64Array;
  BigInt64Array: BigInt64Array;
  BigUint64Array: BigUint64Array;
}

/**
 * What the task of an export with this spec takes.
 *
 * @example
 * ```ts
 * type Text = WasmTaskInput<{ input: 'string'; output: 'string' }>; // string
 * type Samples = WasmTaskInput<{ input: 'Float32Array' }>; // Float32Array | readonly number[]
 * ```
 */
export type WasmTaskInput<Spec extends WasmExportSpec> = Spec extends { readonly input: infer Kind }
  ? Kind extends 'string'
    ? string
    : Kind extends 'BigInt64Array' | 'BigUint64Array'
      ? WasmTypedArrays[Kind] | readonly bigint[]
      : Kind extends keyof WasmTypedArrays
        ? WasmTypedArrays[Kind] | readonly number[]
        : WasmNumericInput
  : WasmNumericInput;

/**
 * What the task of an export with this spec returns.
 *
 * @example
 * ```ts
 * type Scaled = WasmTaskOutput<{ input: 'Float32Array'; output: 'input' }>; // Float32Array
 * type Product = WasmTaskOutput<'bigint'>; // bigint
 * ```
 */
export type WasmTaskOutput<Spec extends WasmExportSpec> = Spec extends 'bigint'
  ? bigint
  : Spec extends { readonly output: infer Kind }
    ? Kind extends 'bigint'
      ? bigint
      : Kind extends 'string'
        ? string
        : Kind extends keyof WasmTypedArrays
          ? WasmTypedArrays[Kind]
          : Kind extends 'input'
            ? Spec extends { readonly input: infer Input extends keyof WasmTypedArrays }
              ? WasmTypedArrays[Input]
              : never
            : number
    : number;

/**
 * The task definitions {@link wasmTasks} returns, keyed by export name, each
 * typed by its spec and named `prefix + exportName`.
 *
 * @example
 * ```ts
 * type MathTasks = WasmTasks<{ add: 'number'; upper: { input: 'string'; output: 'string' } }, 'math.'>;
 * // { readonly add: ComputeTaskInterface<WasmNumericInput, number, 'math.add'>;
 * //   readonly upper: ComputeTaskInterface<string, string, 'math.upper'> }
 * ```
 */
export type WasmTasks<Exports extends WasmExportList, Prefix extends string = ''> = Exports extends readonly string[]
  ? { readonly [Name in Exports[number]]: ComputeTaskInterface<WasmNumericInput, number, `${Prefix}${Name}`> }
  : {
      readonly [Name in keyof Exports & string]: Exports[Name] extends WasmExportSpec
        ? ComputeTaskInterface<WasmTaskInput<Exports[Name]>, WasmTaskOutput<Exports[Name]>, `${Prefix}${Name}`>
        : never;
    };

/** One export's spec, every default filled in. */
export interface ResolvedExportSpec {
  readonly exportName: string;
  readonly taskName: string;
  readonly input: WasmInputKind;
  readonly output: WasmOutputKind;
}
