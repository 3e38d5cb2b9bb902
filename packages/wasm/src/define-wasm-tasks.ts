import { defineTask, invalidArgumentError, type AnyComputeTask } from '@hybridcompute/core';
import { exportCaller, type ReadyModule } from './call-wasm-export.js';
import { checkExports } from './check-exports.js';
import { LazyWasmModule, type ImportsOption, type ResolvedSource, type WasmSourceLoader } from './lazy-wasm-module.js';
import { readExportSignatures } from './read-export-signatures.js';
import type { ResolvedExportSpec, WasmExportList, WasmInputKind, WasmOutputKind, WasmTasks } from './wasm-export-spec.js';
import { describeValue, isTypedArrayKind } from './wasm-memory.js';

/**
 * Where a module comes from: a URL (fetched; a `file:` URL is read from disk
 * in Node), a path (Node) or a URL string, the module's bytes, or a compiled
 * `WebAssembly.Module`.
 *
 * @example
 * ```ts
 * const fromUrl: WasmSource = new URL('./checksum.wasm', import.meta.url);
 * const fromBytes: WasmSource = await readFile('./checksum.wasm');
 * ```
 */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

/**
 * Options of {@link wasmTasks}.
 *
 * @example
 * ```ts
 * const options: WasmTasksOptions<{ add: 'number' }, 'math.'> = {
 *   exports: { add: 'number' },
 *   prefix: 'math.', // the task is 'math.add'
 *   imports: () => ({ env: { now: () => Date.now() } }),
 * };
 * ```
 */
export interface WasmTasksOptions<Exports extends WasmExportList, Prefix extends string = ''> {
  /** The exports to make tasks of, and how each is called (see {@link WasmExportList}). */
  exports: Exports;
  /**
   * What the module imports: an object, or a function called for each new
   * instance (once per thread, and again after a trap) that returns one.
   */
  imports?: WebAssembly.Imports | (() => WebAssembly.Imports) | undefined;
  /** Put before each export's name to make its task's name (`'math.'` makes `'math.add'`); default none. */
  prefix?: Prefix | undefined;
}

const inputKinds = new Set<unknown>(['number', 'string']);
const outputKinds = new Set<unknown>(['number', 'bigint', 'string', 'input']);

/** `wasmTasks` with the way this build loads a URL or a path. */
export function defineWasmTasks<const Exports extends WasmExportList, const Prefix extends string = ''>(
  source: WasmSource,
  options: WasmTasksOptions<Exports, Prefix>,
  load: WasmSourceLoader,
): WasmTasks<Exports, Prefix> {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError(`wasmTasks: options must be an object with 'exports', got ${describeValue(options)}`);
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw invalidArgumentError(`wasmTasks: prefix must be a string, got ${describeValue(prefix)}`);
  const imports: ImportsOption = options.imports;
  if (imports !== undefined && (typeof imports !== 'object' || imports === null) && typeof imports !== 'function') {
    throw invalidArgumentError(`wasmTasks: imports must be an object or a function that returns one, got ${describeValue(imports)}`);
  }
  const specs = resolveSpecs(options.exports, prefix);
  const resolved = resolveSource(source);
  const label = labelOf(resolved);
  // What can be checked without compiling is checked now, so a wrong module fails where it is named.
  if (resolved.kind === 'bytes' && resolved.exports !== undefined) checkExports(specs, resolved.exports, label);
  if (resolved.kind === 'module') {
    checkExports(specs, { kinds: new Map(WebAssembly.Module.exports(resolved.module).map(({ name, kind }) => [name, kind])), signatures: undefined }, label);
  }
  const lazy = new LazyWasmModule(resolved, specs, imports, load, label);
  const tasks: Record<string, AnyComputeTask> = {};
  for (const spec of specs) {
    let callerOf: ReadyModule | undefined;
    let caller: (input: unknown) => unknown = () => undefined;
    const call = (ready: ReadyModule, input: unknown): unknown => {
      if (ready !== callerOf) {
        caller = exportCaller(ready, spec);
        callerOf = ready;
      }
      try {
        return caller(input);
      } catch (error) {
        // A trap (or a stack overflow, a RangeError in JavaScript engines) can leave memory half-written.
        if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) lazy.discard(ready);
        throw error;
      }
    };
    tasks[spec.exportName] = defineTask(spec.taskName, (input: unknown): unknown => {
      const ready = lazy.ready;
      if (ready !== undefined) return call(ready, input);
      return lazy.instance().then((instance) => call(instance, input));
    });
  }
  return Object.freeze(tasks) as WasmTasks<Exports, Prefix>;
}

function resolveSpecs(exports: WasmExportList, prefix: string): ResolvedExportSpec[] {
  if (typeof exports !== 'object' || exports === null) {
    throw invalidArgumentError(`wasmTasks: exports must be an array of export names or a record of export specs, got ${describeValue(exports)}`);
  }
  const entries: [string, unknown][] = Array.isArray(exports)
    ? exports.map((name: unknown, index) => {
        if (typeof name !== 'string') throw invalidArgumentError(`wasmTasks: exports[${index}] must be an export name, got ${describeValue(name)}`);
        return [name, 'number'];
      })
    : Object.entries(exports);
  if (entries.length === 0) throw invalidArgumentError('wasmTasks: exports names no export');
  return entries.map(([exportName, spec]) => {
    if (exportName.length === 0) throw invalidArgumentError('wasmTasks: an export name is empty');
    const { input = 'number', output = 'number' } =
      spec === 'number' || spec === 'bigint' ? { output: spec } : typeof spec === 'object' && spec !== null ? (spec as { input?: unknown; output?: unknown }) : {};
    if (!(spec === 'number' || spec === 'bigint' || (typeof spec === 'object' && spec !== null))) {
      throw invalidArgumentError(`wasmTasks: the spec of '${exportName}' must be 'number', 'bigint' or { input, output }, got ${describeValue(spec)}`);
    }
    if (!inputKinds.has(input) && !isTypedArrayKind(input)) {
      throw invalidArgumentError(`wasmTasks: '${exportName}' has input ${String(input)}; use 'number', 'string' or a typed array's name such as 'Float64Array'`);
    }
    if (!outputKinds.has(output) && !isTypedArrayKind(output)) {
      throw invalidArgumentError(`wasmTasks: '${exportName}' has output ${String(output)}; use 'number', 'bigint', 'string', 'input' or a typed array's name`);
    }
    if (output === 'input' && !isTypedArrayKind(input)) {
      throw invalidArgumentError(`wasmTasks: '${exportName}' has output 'input', which needs a typed array input, not ${String(input)}`);
    }
    return { exportName, taskName: `${prefix}${exportName}`, input: input as WasmInputKind, output: output as WasmOutputKind };
  });
}

function resolveSource(source: WasmSource): ResolvedSource {
  if (source instanceof WebAssembly.Module) return { kind: 'module', module: source };
  if (typeof source === 'string') {
    if (source.length === 0) throw invalidArgumentError('wasmTasks: the source is an empty string; give a URL, a path, bytes or a WebAssembly.Module');
    return { kind: 'location', location: source };
  }
  if (source instanceof URL) return { kind: 'location', location: source };
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    const view = ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);
    // A copy: the caller may reuse its buffer, and every call of every thread reads this one.
    const bytes = view.slice();
    if (!WebAssembly.validate(bytes)) throw invalidArgumentError(`wasmTasks: the ${bytes.length} bytes given are not a valid WebAssembly module`);
    return { kind: 'bytes', bytes, exports: readExportSignatures(bytes) };
  }
  throw invalidArgumentError(`wasmTasks: the source must be a URL, a path, bytes or a WebAssembly.Module, got ${describeValue(source)}`);
}

function labelOf(source: ResolvedSource): string {
  if (source.kind === 'location') return String(source.location);
  return source.kind === 'bytes' ? `${source.bytes.length} bytes` : 'a WebAssembly.Module';
}
