import { invalidArgumentError, type TaskCollection } from '@hybridcompute/core';
import type { Endpoint } from 'comlink';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { atomicsIdleWait } from '../atomics-idle-wait.js';
import { exposeTasksOn } from '../expose-tasks-on.js';
import { nodeEndpoint } from './node-endpoint.js';
import { poolPortOf } from './private-channel.js';

export { transfer } from '../transfer.js';

/**
 * Serves tasks to the pool that started this worker thread (Node build of
 * `@hybridcompute/backend-worker/worker`; same API as the browser build).
 *
 * @param tasks - an array, a record or a module namespace of task definitions.
 * @param endpoint - where to serve them; defaults to `parentPort`.
 * @throws TypeError (code `INVALID_REQUEST`) outside a worker thread, or for bad `tasks`.
 *
 * @example
 * ```js
 * import { workerData } from 'node:worker_threads';
 * import { exposeTasks } from '@hybridcompute/backend-worker/worker';
 * exposeTasks(await import(workerData.tasksModule));
 * ```
 */
export function exposeTasks(tasks: TaskCollection, endpoint?: Endpoint): void {
  if (endpoint === undefined && parentPort === null) {
    throw invalidArgumentError('exposeTasks must run inside a worker thread (parentPort is null; pass an endpoint)');
  }
  if (endpoint !== undefined) {
    exposeTasksOn(endpoint, tasks);
    return;
  }
  const port = poolPortOf(parentPort!);
  const portEndpoint = nodeEndpoint(port);
  // An idle worker sleeps on Atomics.wait (option `atomics`; see ../atomics-idle-wait.ts).
  const idleWait = atomicsIdleWait({
    receiveMessage: () => receiveMessageOnPort(port),
    dispatch: portEndpoint.dispatch,
    outputPending: () => process.stdout.writableLength > 0 || process.stderr.writableLength > 0,
    nextTurn: setImmediate,
    eventLoopMayHoldMessages: port !== parentPort,
  });
  // The exposure key stays parentPort: the pool knows this worker by it.
  exposeTasksOn(portEndpoint, tasks, idleWait, parentPort!);
}
