import { defineWasmTasks, type WasmSource, type WasmTasksOptions } from '../define-wasm-tasks.js';
import type { WasmExportList, WasmTasks } from '../wasm-export-spec.js';
import { readWasmBytes } from './read-wasm-bytes.js';

/**
 * Makes task definitions of a WebAssembly module's exports (the Node build of
 * `wasmTasks`, which also reads `file:` URLs and paths from disk; same API as
 * the browser build).
 *
 * @example
 * ```ts
 * export const { add } = wasmTasks(new URL('./lib.wasm', import.meta.url), { exports: ['add'] });
 * ```
 */
export function wasmTasks<const Exports extends WasmExportList, const Prefix extends string = ''>(
  source: WasmSource,
  options: WasmTasksOptions<Exports, Prefix>,
): WasmTasks<Exports, Prefix> {
  return defineWasmTasks(source, options, readWasmBytes);
}
