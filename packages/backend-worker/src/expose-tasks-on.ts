import {
  collectTasks,
  ComputeError,
  invalidArgumentError,
  isStreamingTask,
  isTaskStream,
  messageOf,
  taskFailedError,
  taskNotFoundError,
  type AnyComputeTask,
  type TaskCollection,
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
  chunkMessageType,
  chunksMessageType,
  creditMessageKey,
  progressMessageType,
  type WorkerApi,
} from './worker-protocol.js';
import { cloneSafeEndpoint } from './clone-safe-endpoint.js';
import { WorkerStreamPump, type StreamOutlet } from './worker-stream-pump.js';
import { WorkerTaskContext } from './worker-task-context.js';

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
  // Streams running, by call id: credits from the pool reach them here.
  const streams = new Map<number, WorkerStreamPump>();
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
    if (!isThenable(result)) {
      if (!isTaskStream(result)) {
        // A progress value held back goes before the batch's answer.
        context.settle();
        return { kind: outcomeFulfilled, value: result };
      }
      result = drain(result, context);
    }
    running.set(callId, context);
    Promise.resolve(result).then(
      (value) => {
        running.delete(callId);
        context.settle();
        finish(callId, outcomeFulfilled, value);
      },
      (error: unknown) => {
        running.delete(callId);
        context.settle();
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

  // Progress and chunks go straight to the pool, not through comlink (they answer no request).
  const report = (callId: number, value: unknown): void => {
    // A stream's chunks held back go first: progress and chunks keep their order.
    streams.get(callId)?.flush();
    try {
      endpoint.postMessage({ type: progressMessageType, id: callId, value }, transferListOf(value));
    } catch (error) {
      throw invalidArgumentError(`progress: the value cannot be sent from the worker (${messageOf(error)})`);
    }
  };
  // Primitive chunks of a stream made in one go leave together, at the latest when the event loop turns.
  const flushes: (() => void)[] = [];
  const flushTurn = new MessageChannel();
  flushTurn.port1.onmessage = () => {
    for (const flush of flushes.splice(0)) flush();
  };
  (flushTurn.port1 as { unref?: () => void }).unref?.();
  // A progress value held back by its window goes before the chunks after it (one field read when none is held).
  const outletFor = (callId: number, context: WorkerTaskContext): StreamOutlet => ({
    send: (chunk) => {
      context.sendHeldProgress();
      endpoint.postMessage({ type: chunkMessageType, id: callId, value: chunk }, transferListOf(chunk));
    },
    sendMany: (chunks) => {
      context.sendHeldProgress();
      endpoint.postMessage({ type: chunksMessageType, id: callId, value: chunks });
    },
    later: (callback) => {
      if (flushes.push(callback) === 1) flushTurn.port2.postMessage(null);
    },
  });
  const settled = <Value>(callId: number, context: WorkerTaskContext, result: Promise<Value>, task: AnyComputeTask): Promise<Value> =>
    result.then(
      (value) => {
        running.delete(callId);
        context.settle();
        return value;
      },
      (error: unknown) => {
        running.delete(callId);
        context.settle();
        throw taskFailedError(task.name, undefined, error);
      },
    );

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
      if (!isThenable(result)) {
        if (!isTaskStream(result)) return result;
        result = drain(result, context);
      }
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
    runBatch(calls, reportingIds) {
      // The calls whose caller listens for progress, when any does.
      // In the order of the calls, so a cursor finds them.
      let nextReporting = 0;
      const contextFor = (callId: number): WorkerTaskContext => {
        if (reportingIds?.[nextReporting] !== callId) return new WorkerTaskContext();
        nextReporting++;
        return new WorkerTaskContext(report, callId);
      };
      const outcomes: unknown[] = [batchMarker];
      let transfers: Transferable[] | undefined;
      const startedAt = performance.now();
      for (let index = 0; index < calls.length; index += 3) {
        const callId = calls[index] as number;
        if (index > 0 && performance.now() - startedAt > batchSliceMs) {
          // Long tasks: the calls left run one per turn and answer one by one,
          // so that no result waits for its neighbours in the batch.
          const context = contextFor(callId);
          running.set(callId, context);
          deferred.push(callId, calls[index + 1], calls[index + 2], context);
          outcomes.push(outcomePending, undefined);
          continue;
        }
        const outcome = runNow(callId, calls[index + 1] as string, calls[index + 2], reportingIds === undefined ? new WorkerTaskContext() : contextFor(callId));
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
      const error = ComputeError.fromJSON(reason);
      running.get(callId)?.abort(error);
      streams.get(callId)?.close(error);
    },
    runReporting(callId, taskName, input, traceCarrier) {
      if (traceCarrier !== undefined) return traceWorkerRun(traceCarrier, taskName, () => api.runReporting(callId, taskName, input));
      const task = taskNamed(taskName);
      const context = new WorkerTaskContext(report, callId);
      let result: unknown;
      try {
        result = task.run(input, context);
      } catch (error) {
        context.settle();
        throw taskFailedError(task.name, undefined, error);
      }
      if (isTaskStream(result)) result = drain(result, context);
      else if (!isThenable(result)) {
        context.settle();
        return result;
      }
      running.set(callId, context);
      return settled(callId, context, Promise.resolve(result), task);
    },
    stream(callId, taskName, input, credit, reporting, traceCarrier) {
      if (traceCarrier !== undefined) return traceWorkerRun(traceCarrier, taskName, () => api.stream(callId, taskName, input, credit, reporting));
      const task = taskNamed(taskName);
      // An async function cannot give a stream: refuse it before it runs, as in process.
      if (!isStreamingTask(task) && task.run.constructor?.name === 'AsyncFunction') throw notAStream(task.name);
      const context = reporting ? new WorkerTaskContext(report, callId) : new WorkerTaskContext();
      let result: unknown;
      try {
        result = task.run(input, context);
      } catch (error) {
        context.settle();
        throw taskFailedError(task.name, undefined, error);
      }
      if (!isTaskStream(result)) {
        context.settle();
        // A promise nobody reads must not end the worker as an unhandled rejection.
        if (isThenable(result)) Promise.resolve(result).catch(noop);
        throw notAStream(task.name);
      }
      const pump = new WorkerStreamPump(result, credit, outletFor(callId, context));
      running.set(callId, context);
      streams.set(callId, pump);
      return settled(
        callId,
        context,
        pump.done.finally(() => streams.delete(callId)),
        task,
      );
    },
  };
  const grant = (data: Record<string, unknown>): void => {
    const credit = data['credit'];
    if (typeof credit === 'number') streams.get(data[creditMessageKey] as number)?.grant(credit);
    // The pool's acknowledgement of progress values: the same message, with `progress` for a count.
    const acknowledged = data['progress'];
    if (typeof acknowledged === 'number') running.get(data[creditMessageKey] as number)?.acknowledgeProgress(acknowledged);
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
  expose(api, cloneSafeEndpoint(endpoint, answered, grant));
  endpoint.postMessage({ [readyMessageKey]: [...byName.keys()], ...wakeOffer(idleWait) });
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

// runTask on a streaming task with onProgress: its chunks are read and dropped, its return value is the result.
async function drain(stream: AsyncIterator<unknown, unknown>, context: WorkerTaskContext): Promise<unknown> {
  for (;;) {
    const step = await stream.next();
    if (step.done === true) return step.value;
    if (context.aborted) {
      await stream.return?.(undefined);
      return undefined;
    }
  }
}

function notAStream(taskName: string): ComputeError {
  return new ComputeError({
    code: 'INVALID_REQUEST',
    message: `Task '${taskName}' does not stream: its run is not an async generator (async function*); use runTask`,
    taskName,
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
