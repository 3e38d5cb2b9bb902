/**
 * The main side: a pool of workers that runs tasks (`createWorkerBackend`).
 *
 * @module @hybridcompute/backend-worker
 */
export { createWorkerBackend } from './create-worker-backend.js';
export { WorkerBackend } from './worker-backend.js';
export type { WorkerBackendOptions, WorkerConstructorOptions, WorkerRunTaskOptions } from './worker-backend-options.js';
export type { BackendLoad, DurationPercentiles, WorkerBackendStats } from './worker-backend-stats.js';
export { transfer } from './transfer.js';
export { installErrorTransferHandler } from './error-transfer-handler.js';
export type { SerializedError, SerializedThrown } from './error-transfer-handler.js';
export type { SpawnedWorker, WorkerLifecycle, WorkerPlatform } from './worker-platform.js';
