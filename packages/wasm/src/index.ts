export { wasmTasks } from './wasm-tasks.js';
export type { WasmSource, WasmTasksOptions } from './define-wasm-tasks.js';
export type {
  WasmExportList,
  WasmExportSpec,
  WasmInputKind,
  WasmNumericInput,
  WasmOutputKind,
  WasmTaskInput,
  WasmTaskOutput,
  WasmTasks,
  WasmTypedArrayKind,
  WasmTypedArrays,
} from './wasm-export-spec.js';
