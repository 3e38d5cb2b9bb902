import {
  collectTasks,
  ComputeError,
  messageOf,
  type AnyComputeTask,
  type TaskCollection,
  type TaskContext,
} from '@hybridcompute/core';
import { expose, type Endpoint } from 'comlink';
import { installErrorTransferHandler } from './error-transfer-handler.js';
import { readyMessageKey, type WorkerApi } from './worker-protocol.js';

/**
 * Serves `tasks` to the pool on `endpoint` and sends the handshake. The
 * entry points (`./worker`, in Node and in browsers) only pick the endpoint.
 */
export function exposeTasksOn(endpoint: Endpoint, tasks: TaskCollection): void {
  const byName = collectTasks(tasks);
  installErrorTransferHandler();
  // Only calls still running asynchronously can be cancelled: a synchronous
  // task has finished before the worker reads the next message.
  const running = new Map<number, WorkerTaskContext>();

  const api: WorkerApi = {
    run(callId, taskName, input) {
      const task = byName.get(taskName);
      if (task === undefined) {
        throw new ComputeError({
          code: 'TASK_NOT_FOUND',
          message: `Task '${taskName}' is not exposed by this worker (tasks: ${[...byName.keys()].join(', ') || 'none'})`,
          taskName,
        });
      }
      const context = new WorkerTaskContext();
      let result: unknown;
      try {
        result = task.run(input, context);
      } catch (error) {
        throw taskFailed(task, error);
      }
      if (!isThenable(result)) return result;
      running.set(callId, context);
      return Promise.resolve(result).then(
        (value) => {
          running.delete(callId);
          return value;
        },
        (error: unknown) => {
          running.delete(callId);
          throw taskFailed(task, error);
        },
      );
    },
    cancel(callId, reason) {
      running.get(callId)?.abort(ComputeError.fromJSON(reason));
    },
  };
  expose(api, endpoint);
  endpoint.postMessage({ [readyMessageKey]: [...byName.keys()] });
}

function taskFailed(task: AnyComputeTask, error: unknown): ComputeError {
  return new ComputeError({ code: 'TASK_FAILED', message: `Task '${task.name}' failed: ${messageOf(error)}`, taskName: task.name, cause: error });
}

/** A task's context; its AbortController is made only when someone needs one. */
class WorkerTaskContext implements TaskContext {
  #controller: AbortController | undefined;

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  abort(reason: unknown): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
