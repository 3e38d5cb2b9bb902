import type { BackendTasksFrom, TaskCollection, TypedBackend } from '@hybridcompute/core';
import { webWorkerPlatform } from './web-worker-platform.js';
import { WorkerBackend } from './worker-backend.js';
import type { WorkerBackendOptions } from './worker-backend-options.js';

/**
 * Creates a pool of workers that run the tasks a worker file exposes. The
 * same call works in browsers (module Web Workers) and in Node
 * (`worker_threads`, picked through the package's `node` export condition).
 *
 * The backend carries its tasks' types for the router: those of `tasks` when
 * given definitions, the names with `unknown` inputs and outputs when given
 * names, or those of the type argument (`createWorkerBackend<typeof tasks>`,
 * with `import type * as tasks`, so the main thread loads no task code).
 * With neither, it carries none, and a router using it takes any task name.
 *
 * @typeParam Tasks - optional: `typeof tasks` of the module the worker file exposes.
 * @typeParam Declared - inferred from `tasks`.
 * @throws TypeError (code `INVALID_REQUEST`) for a missing `url` or an option of the wrong kind.
 *
 * @example
 * ```ts
 * import { createWorkerBackend } from '@hybridcompute/backend-worker';
 * import type * as tasks from './tasks.js';
 *
 * const worker = createWorkerBackend<typeof tasks>({ url: new URL('./tasks.worker.js', import.meta.url), size: 4, taskTimeout: 5_000 });
 * await worker.ready();
 * await worker.runTask('double', 21); // 42
 * await worker.close();
 * ```
 */
export function createWorkerBackend<Tasks = never, const Declared extends readonly string[] | TaskCollection = readonly string[] | TaskCollection>(
  options: WorkerBackendOptions<Declared>,
): TypedBackend<WorkerBackend, BackendTasksFrom<Tasks, Declared>> {
  return new WorkerBackend(options, webWorkerPlatform);
}
