// The Node build of the package entry: the same exports, with workers made by worker_threads.
export { WorkerBackend } from '../create-worker-backend.js';
export type {
  DurationPercentiles,
  WorkerBackendOptions,
  WorkerBackendStats,
  WorkerConstructorOptions,
  WorkerRunTaskOptions,
} from '../create-worker-backend.js';
export { transfer } from '../transfer.js';
export { installErrorTransferHandler } from '../error-transfer-handler.js';
export type { SerializedError, SerializedThrown } from '../error-transfer-handler.js';
export type { SpawnedWorker, WorkerLifecycle, WorkerPlatform } from '../worker-platform.js';
export { createWorkerBackend } from './create-node-worker-backend.js';
