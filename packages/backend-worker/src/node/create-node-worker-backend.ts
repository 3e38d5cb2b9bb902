import type { BackendTasksFrom, TaskCollection, TypedBackend } from '@hybridcompute/core';
import { WorkerBackend } from '../worker-backend.js';
import type { WorkerBackendOptions } from '../worker-backend-options.js';
import { nodeWorkerPlatform } from './node-worker-platform.js';
import { refuseUnsupportedWorkerOptions } from './refuse-unsupported-worker-options.js';

/**
 * Creates a pool of worker threads that run the tasks a worker file exposes
 * (the Node build of `createWorkerBackend`; same API and types as the browser build).
 *
 * @typeParam Tasks - optional: `typeof tasks` of the module the worker file exposes.
 * @typeParam Declared - inferred from `tasks`.
 * @throws TypeError (code `INVALID_REQUEST`) for a missing `url` or an option of the wrong kind,
 *   and for `workerOptions.resourceLimits` on Bun and Deno, which do not keep them.
 *
 * @example
 * ```ts
 * const worker = createWorkerBackend({ url: new URL('./tasks.worker.js', import.meta.url), size: 4 });
 * await worker.ready();
 * await worker.runTask('double', 21); // 42
 * await worker.close();
 * ```
 */
export function createWorkerBackend<Tasks = never, const Declared extends readonly string[] | TaskCollection = readonly string[] | TaskCollection>(
  options: WorkerBackendOptions<Declared>,
): TypedBackend<WorkerBackend, BackendTasksFrom<Tasks, Declared>> {
  refuseUnsupportedWorkerOptions(options?.workerOptions);
  return new WorkerBackend(options, nodeWorkerPlatform);
}
