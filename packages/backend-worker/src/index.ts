/**
 * The main side: a pool of workers that runs tasks (`createWorkerBackend`).
 *
 * @module @hybridcompute/backend-worker
 */
export { createWorkerBackend, WorkerBackend } from './create-worker-backend.js';
export type {
  DurationPercentiles,
  WorkerBackendOptions,
  WorkerBackendStats,
  WorkerConstructorOptions,
  WorkerRunTaskOptions,
} from './create-worker-backend.js';
export { transfer } from './transfer.js';
export { installErrorTransferHandler } from './error-transfer-handler.js';
export type { SerializedError, SerializedThrown } from './error-transfer-handler.js';
export type { SpawnedWorker, WorkerLifecycle, WorkerPlatform } from './worker-platform.js';
