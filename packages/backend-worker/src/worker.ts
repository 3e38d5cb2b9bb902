/**
 * The worker side: `exposeTasks` serves task definitions inside a worker file.
 *
 * @module @hybridcompute/backend-worker/worker
 */
import { invalidArgumentError, type TaskCollection } from '@hybridcompute/core';
import type { Endpoint } from 'comlink';
import { exposeTasksOn } from './expose-tasks-on.js';

export { transfer } from './transfer.js';

/**
 * Serves tasks to the pool that started this worker. Call it once, at the top
 * level of the worker file; the pool's `ready()` resolves once it has run.
 *
 * @param tasks - the same definitions the local backend takes: an array, a
 *   record or a module namespace (`import * as tasks`); other exports are ignored.
 * @param endpoint - where to serve them; defaults to the worker's own scope
 *   (`self` in a browser, `parentPort` in Node).
 * @throws TypeError (code `INVALID_REQUEST`) outside a worker, or when `tasks`
 *   holds something that is not a task or two tasks share a name.
 *
 * @example
 * ```ts
 * // tasks.worker.js
 * import { exposeTasks } from '@hybridcompute/backend-worker/worker';
 * import * as tasks from './tasks.js';
 * exposeTasks(tasks);
 * ```
 */
export function exposeTasks(tasks: TaskCollection, endpoint?: Endpoint): void {
  exposeTasksOn(endpoint ?? workerScope(), tasks);
}

function workerScope(): Endpoint {
  const scope = globalThis as unknown as Partial<Endpoint> & { document?: unknown; Bun?: { isMainThread?: boolean } };
  // Bun's main thread has postMessage and addEventListener too; Bun says which thread it is.
  const bunMainThread = scope.Bun?.isMainThread === true;
  if (typeof scope.postMessage !== 'function' || typeof scope.addEventListener !== 'function' || scope.document !== undefined || bunMainThread) {
    throw invalidArgumentError('exposeTasks must run inside a worker (no worker scope found; pass an endpoint)');
  }
  return scope as Endpoint;
}
