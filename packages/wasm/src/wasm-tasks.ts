import { defineWasmTasks, type WasmSource, type WasmTasksOptions } from './define-wasm-tasks.js';
import { fetchWasmBytes } from './fetch-wasm-bytes.js';
import type { WasmExportList, WasmTasks } from './wasm-export-spec.js';

/**
 * Makes task definitions of a WebAssembly module's exports. They are plain
 * `defineTask` results: the local backend registers them, a worker file
 * exposes them, a compute server serves them and a BullMQ worker runs them,
 * with no change to any backend.
 *
 * Nothing is loaded or compiled here: in each thread or process that imports
 * the tasks, the first call loads the source, compiles the module and
 * instantiates it; later calls there reuse the instance and run
 * synchronously. So a worker reads the module once, from its own import of
 * the tasks module, and no call carries the module's bytes.
 *
 * @param source - a URL (fetched in browsers; in Node a `file:` URL or a path
 *   is read from disk), the module's bytes, or a `WebAssembly.Module`.
 * @param options - `exports` names the exports and how each is called;
 *   `imports` is what the module imports; `prefix` goes before each task's name.
 * @returns a frozen record from export name to task definition, each named
 *   `prefix + exportName` and typed by its spec.
 * @throws TypeError (code `INVALID_REQUEST`) for a bad argument, and, when the
 *   source is bytes or a `WebAssembly.Module`, for bytes that are not a valid
 *   module or a module without the exports the specs need. For a URL or a
 *   path those failures surface at the first call instead, as `TASK_FAILED`
 *   with the reason as `cause`.
 *
 * @example
 * ```ts
 * // tasks.ts: imported by the app, the worker file and the server alike
 * import { wasmTasks } from '@hybridcompute/wasm';
 *
 * export const { add, checksum, upper } = wasmTasks(new URL('./lib.wasm', import.meta.url), {
 *   exports: {
 *     add: 'number', // add(a: i32, b: i32) -> i32: runTask('add', [2, 3]) is 5
 *     checksum: { input: 'Uint8Array' }, // checksum(ptr, len) -> i32
 *     upper: { input: 'string', output: 'string' }, // upper(ptr, len) -> (ptr, len)
 *   },
 * });
 * ```
 */
export function wasmTasks<const Exports extends WasmExportList, const Prefix extends string = ''>(
  source: WasmSource,
  options: WasmTasksOptions<Exports, Prefix>,
): WasmTasks<Exports, Prefix> {
  return defineWasmTasks(source, options, fetchWasmBytes);
}
