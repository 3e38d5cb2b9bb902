import {
  collectTasks,
  ComputeError,
  invalidArgumentError,
  taskFailedError,
  taskNotFoundError,
  type AnyComputeTask,
  type TaskCollection,
  type TaskContext,
} from '@hybridcompute/core';
import { expose, type Endpoint } from 'comlink';
import { sleepWhenIdle, wakeOffer, type IdleWait } from './atomics-idle-wait.js';
import { installErrorTransferHandler, serializeThrown } from './error-transfer-handler.js';
import { traceWorkerRun } from './trace-worker-run.js';
import { transferAll, transferListOf } from './transfer.js';
import {
  asyncMarker,
  batchMarker,
  outcomeFulfilled,
  outcomePending,
  outcomeRejected,
  readyMessageKey,
  type WorkerApi,
} from './worker-protocol.js';

/**
 * Serves `tasks` to the pool on `endpoint` and sends the handshake. The
 * entry points (`./worker`, in Node and in browsers) only pick the endpoint.
 */
export function exposeTasksOn(endpoint: Endpoint, tasks: TaskCollection, idleWait?: IdleWait, key: object = endpoint): void {
  // A second expose on one endpoint would answer every request twice, running each task twice.
  if (exposed.has(key)) throw invalidArgumentError('exposeTasks: tasks are already exposed on this endpoint; call exposeTasks once, with every task');
  const byName = collectTasks(tasks);
  exposed.add(key);
  installErrorTransferHandler();
  // Only calls still running asynchronously can be cancelled: a synchronous
  // task has finished before the worker reads the next message.
  const running = new Map<number, WorkerTaskContext>();
  // Outcomes of batched calls that finished asynchronously, waiting for takeResults.
  let finished: unknown[] = [asyncMarker];
  let finishedTransfers: Transferable[] | undefined;
  let waiting: ((outcomes: unknown[]) => void) | undefined;
  let handOverScheduled = false;

  const taskNamed = (taskName: string): AnyComputeTask => {
    const task = byName.get(taskName);
    if (task !== undefined) return task;
    // The pool names its backend when the error reaches it.
    throw taskNotFoundError(taskName, undefined, byName.keys());
  };

  const takeFinished = (): unknown[] => {
    const outcomes = transferAll(finished, finishedTransfers);
    finished = [asyncMarker];
    finishedTransfers = undefined;
    return outcomes;
  };

  // Outcomes that finish in the same turn go back in one answer.
  const handOver = (): void => {
    handOverScheduled = false;
    if (waiting === undefined || finished.length === 1) return;
    const resolve = waiting;
    waiting = undefined;
    resolve(takeFinished());
  };

  const finish = (callId: number, kind: number, value: unknown): void => {
    finished.push(callId, kind, value);
    const transfers = kind === outcomeFulfilled ? transferListOf(value) : undefined;
    if (transfers !== undefined) (finishedTransfers ??= []).push(...transfers);
    if (!handOverScheduled && waiting !== undefined) {
      handOverScheduled = true;
      queueMicrotask(handOver);
    }
  };

  // Runs one batched call: its outcome now, or `pending` when it goes on asynchronously.
  const runNow = (callId: number, taskName: string, input: unknown, context: WorkerTaskContext): Outcome | typeof pending => {
    let task: AnyComputeTask;
    let result: unknown;
    try {
      task = taskNamed(taskName);
    } catch (error) {
      return { kind: outcomeRejected, value: serializeThrown(error) };
    }
    try {
      result = task.run(input, context);
    } catch (error) {
      return { kind: outcomeRejected, value: serializeThrown(taskFailedError(task.name, undefined, error)) };
    }
    if (!isThenable(result)) return { kind: outcomeFulfilled, value: result };
    running.set(callId, context);
    Promise.resolve(result).then(
      (value) => {
        running.delete(callId);
        finish(callId, outcomeFulfilled, value);
      },
      (error: unknown) => {
        running.delete(callId);
        finish(callId, outcomeRejected, serializeThrown(taskFailedError(task.name, undefined, error)));
      },
    );
    return pending;
  };

  // Batched calls put off by a long batch: [callId, taskName, input, context, ...], one per macrotask.
  const deferred: unknown[] = [];
  let deferredHead = 0;
  let deferredScheduled = false;
  const turns = new MessageChannel();
  const runDeferred = (): void => {
    deferredScheduled = false;
    const callId = deferred[deferredHead] as number;
    const taskName = deferred[deferredHead + 1] as string;
    const input = deferred[deferredHead + 2];
    const context = deferred[deferredHead + 3] as WorkerTaskContext;
    deferred.fill(undefined, deferredHead, deferredHead + 4);
    deferredHead += 4;
    if (deferredHead === deferred.length) {
      deferred.length = 0;
      deferredHead = 0;
    } else {
      scheduleDeferred();
    }
    running.delete(callId);
    if (context.aborted) {
      finish(callId, outcomeRejected, serializeThrown(context.signal.reason));
      return;
    }
    const outcome = runNow(callId, taskName, input, context);
    if (outcome !== pending) finish(callId, outcome.kind, outcome.value);
  };
  const scheduleDeferred = (): void => {
    if (deferredScheduled) return;
    deferredScheduled = true;
    turns.port2.postMessage(null);
  };
  turns.port1.onmessage = runDeferred;
  // The channel only schedules turns: it must not keep a Node worker alive.
  (turns.port1 as { unref?: () => void }).unref?.();

  const api: WorkerApi = {
    run(callId, taskName, input, traceCarrier) {
      if (traceCarrier !== undefined) return traceWorkerRun(traceCarrier, taskName, () => api.run(callId, taskName, input));
      const task = taskNamed(taskName);
      const context = new WorkerTaskContext();
      let result: unknown;
      try {
        result = task.run(input, context);
      } catch (error) {
        throw taskFailedError(task.name, undefined, error);
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
          throw taskFailedError(task.name, undefined, error);
        },
      );
    },
    runBatch(calls) {
      const outcomes: unknown[] = [batchMarker];
      let transfers: Transferable[] | undefined;
      const startedAt = performance.now();
      for (let index = 0; index < calls.length; index += 3) {
        const callId = calls[index] as number;
        if (index > 0 && performance.now() - startedAt > batchSliceMs) {
          // Long tasks: the calls left run one per turn and answer one by one,
          // so that no result waits for its neighbours in the batch.
          const context = new WorkerTaskContext();
          running.set(callId, context);
          deferred.push(callId, calls[index + 1], calls[index + 2], context);
          outcomes.push(outcomePending, undefined);
          continue;
        }
        const outcome = runNow(callId, calls[index + 1] as string, calls[index + 2], new WorkerTaskContext());
        if (outcome === pending) {
          outcomes.push(outcomePending, undefined);
          continue;
        }
        outcomes.push(outcome.kind, outcome.value);
        const resultTransfers = outcome.kind === outcomeFulfilled ? transferListOf(outcome.value) : undefined;
        if (resultTransfers !== undefined) (transfers ??= []).push(...resultTransfers);
      }
      if (deferred.length > 0) scheduleDeferred();
      return transferAll(outcomes, transfers);
    },
    takeResults() {
      if (finished.length > 1) return Promise.resolve(takeFinished());
      return new Promise<unknown[]>((resolve) => {
        waiting = resolve;
      });
    },
    cancel(callId, reason) {
      running.get(callId)?.abort(ComputeError.fromJSON(reason));
    },
  };
  // Idle waits start only when the pool asks for them (it will then wake this
  // worker after every message). The worker sleeps only when it runs nothing:
  // a task still running asynchronously needs the event loop.
  const answered =
    idleWait === undefined
      ? noop
      : sleepWhenIdle(
          endpoint,
          idleWait,
          () => running.size > 0 || deferred.length > 0 || finished.length > 1,
          () => (waiting === undefined ? 0 : 1),
        );
  expose(api, cloneSafeEndpoint(endpoint, answered));
  endpoint.postMessage({ [readyMessageKey]: [...byName.keys()], ...wakeOffer(idleWait) });
}

/**
 * comlink answers a whole batch in one message, so one result that cannot be
 * cloned would fail every call in it. When such a message fails to post, the
 * results that cannot be cloned become that call's error and the rest go as they are.
 */
function cloneSafeEndpoint(endpoint: Endpoint, afterPost: () => void): Endpoint {
  const safe: Endpoint = {
    addEventListener: endpoint.addEventListener.bind(endpoint),
    removeEventListener: endpoint.removeEventListener.bind(endpoint),
    postMessage(message: unknown, transfer?: Transferable[]) {
      try {
        endpoint.postMessage(message, transfer);
      } catch (error) {
        const repaired = repairOutcomes(message);
        if (repaired === undefined) throw error;
        endpoint.postMessage(repaired, transfer);
      }
      afterPost();
    },
  };
  if (endpoint.start !== undefined) safe.start = endpoint.start.bind(endpoint);
  return safe;
}

function repairOutcomes(message: unknown): unknown {
  const value = (message as { value?: unknown } | null)?.value;
  if (!Array.isArray(value) || (value[0] !== batchMarker && value[0] !== asyncMarker)) return undefined;
  const stride = value[0] === batchMarker ? 2 : 3;
  const outcomes = [...value];
  for (let kindAt = stride - 1; kindAt < outcomes.length; kindAt += stride) {
    if (outcomes[kindAt] !== outcomeFulfilled || cloneable(outcomes[kindAt + 1])) continue;
    outcomes[kindAt] = outcomeRejected;
    outcomes[kindAt + 1] = serializeThrown(new TypeError('Unserializable return value'));
  }
  return { ...(message as object), value: outcomes };
}

const exposed = new WeakSet<object>();

function noop(): void {}

interface Outcome {
  kind: number;
  value: unknown;
}

const pending = Symbol('pending');
// A batch runs its calls in one go for at most this long; the rest run one per turn.
const batchSliceMs = 2;

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
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

  get aborted(): boolean {
    return this.#controller?.signal.aborted === true;
  }

  /**
   * The pool does not carry progress back from a worker yet: values a task
   * reports here are dropped, and its README says so (the conformance run
   * declares `progress: false`).
   */
  progress(_value: unknown): void {}
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
