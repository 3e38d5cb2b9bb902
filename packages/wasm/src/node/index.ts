// The Node build of the package entry. It must export exactly what the
// universal entry exports (one set of types serves both), so it re-exports
// all of it and replaces only wasmTasks with one that also reads files.
export * from '../index.js';
export { wasmTasks } from './wasm-tasks.js';
