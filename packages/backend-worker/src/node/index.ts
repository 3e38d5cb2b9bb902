// The Node build of the package entry. It must export exactly what the
// universal entry exports (one set of types serves both), so it re-exports
// all of it and replaces only the factory with the worker_threads one.
export * from '../index.js';
export { createWorkerBackend } from './create-node-worker-backend.js';
