import { invalidArgumentError, type TaskCollection } from '@hybridcompute/core';
import type { Endpoint } from 'comlink';
import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { IdleWait } from '../expose-tasks-on.js';
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
  const poolPort = poolPortOf(parentPort!);
  const port = nodeEndpoint(poolPort);
  exposeTasksOn(port, tasks, atomicsIdleWait(poolPort, port.dispatch, poolPort !== parentPort), parentPort!);
}

const turnsWithoutEventLoop = 32;

// piscina's trick: an idle worker blocks on Atomics.wait and reads the next
// message itself, which wakes it sooner than a message event through its event loop.
// `eventLoopMayHoldMessages`: on a private channel (Deno), a message can be
// taken off the port by the pending event-loop read, out of receiveMessageOnPort's reach.
function atomicsIdleWait(port: MessagePort, dispatch: (data: unknown) => void, eventLoopMayHoldMessages: boolean): IdleWait {
  const wake = new Int32Array(new SharedArrayBuffer(4));
  let seen = 0;
  let turns = 0;
  let firstSleep = true;
  let sleepAgain: (() => void) | undefined;
  return {
    wake,
    later(callback) {
      sleepAgain = callback;
      if (firstSleep) {
        // Deno reports an error the worker file throws after exposeTasks only once its
        // event loop has run a timer: a worker asleep before that would never die.
        firstSleep = false;
        setTimeout(callback, 0);
      } else if (process.stdout.writableLength > 0 || process.stderr.writableLength > 0) {
        // Console output goes to the main thread asynchronously: let it out first.
        turns = 0;
        setImmediate(callback);
      } else if (++turns < turnsWithoutEventLoop) {
        // Sleeping in this microtask checkpoint is the fast path...
        queueMicrotask(callback);
      } else {
        // ...but now and then the event loop must turn (timers, other ports).
        turns = 0;
        setImmediate(callback);
      }
    },
    receive() {
      Atomics.wait(wake, 0, seen);
      // Read the count before the port, so that a message posted meanwhile is not missed.
      seen = Atomics.load(wake, 0);
      let received = false;
      for (let entry = receiveMessageOnPort(port); entry !== undefined; entry = receiveMessageOnPort(port)) {
        received = true;
        dispatch(entry.message);
      }
      if (!received && eventLoopMayHoldMessages) {
        // Woken with nothing to read: let the event loop deliver what it holds, then sleep again.
        setImmediate(sleepAgain!);
        return true;
      }
      return received;
    },
  };
}
