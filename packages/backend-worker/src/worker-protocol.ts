import type { SerializedComputeError } from '@hybridcompute/core';

/**
 * What `exposeTasks` serves over comlink. Internal: both ends of one package
 * version speak it.
 */
export interface WorkerApi {
  /** Runs a task; `callId` names the call for `cancel`; `traceCarrier` is W3C trace context, sent only when the pool's side traces. */
  run(callId: number, taskName: string, input: unknown, traceCarrier?: Record<string, string>): unknown;
  /**
   * Runs several calls sent together (`[callId, taskName, input, ...]`), so that
   * one comlink request carries them all. Answers {@link BatchOutcomes}; calls
   * still running asynchronously answer later through `takeResults`.
   * `reportingIds`: the calls whose progress goes back (absent when none).
   */
  runBatch(calls: unknown[], reportingIds?: number[]): unknown[];
  /** Resolves, once there are any, with the outcomes of batched calls that finished asynchronously: {@link AsyncOutcomes}. */
  takeResults(): Promise<unknown[]>;
  /** Aborts the `ctx.signal` of a running call (and closes its stream), with the main side's reason. */
  cancel(callId: number, reason: SerializedComputeError): void;
  /**
   * Runs a task whose `ctx.progress` values go back as {@link progressMessageType}
   * messages, all before the answer. Only calls given `onProgress` come this way,
   * so that the others pay nothing for it. `traceCarrier` as for `run`.
   */
  runReporting(callId: number, taskName: string, input: unknown, traceCarrier?: Record<string, string>): unknown;
  /**
   * Runs a streaming task: its chunks go back as {@link chunkMessageType}
   * messages, one each (primitive ones several at a time, as
   * {@link chunksMessageType}), at most `credit` of them before the pool grants more
   * ({@link creditMessageKey}); answers with the generator's return value.
   * With `reporting`, progress goes back as for `runReporting`. `traceCarrier` as for `run`.
   */
  stream(callId: number, taskName: string, input: unknown, credit: number, reporting: boolean, traceCarrier?: Record<string, string>): unknown;
}

/**
 * `type` of a worker's message `{ type, id, value }` that carries a progress
 * value of call `id`. comlink's answers are `RAW` or `HANDLER`, so the pool
 * looks at this only for messages that answer no request.
 */
export const progressMessageType = 'PROGRESS';

/** `type` of a worker's message `{ type, id, value }` that carries a chunk of stream `id`. */
export const chunkMessageType = 'CHUNK';

/** `type` of a worker's message `{ type, id, value }` that carries several primitive chunks of stream `id` (`value`: an array, in order). */
export const chunksMessageType = 'CHUNKS';

/**
 * Key of the pool's message `{ [creditMessageKey]: callId, credit }` that lets
 * the worker send `credit` more chunks of a stream. It has no `id` or `type`,
 * so comlink's `expose` ignores it and the idle wait does not count it as owed.
 */
export const creditMessageKey = '@hybridcompute/backend-worker.credit';

/** What a worker sends for progress and chunks. */
export interface CallMessage {
  readonly type: typeof progressMessageType | typeof chunkMessageType | typeof chunksMessageType;
  readonly id: number;
  readonly value: unknown;
}

/**
 * The first message a worker sends, unasked, once `exposeTasks` has run: the
 * handshake. The worker speaks first because a module worker that awaits
 * before exposing its tasks would miss a message sent to it too early.
 */
export interface ReadyMessage {
  readonly [readyMessageKey]: readonly string[];
}

/** The key of {@link ReadyMessage}; comlink ignores messages without an `id`. */
export const readyMessageKey = '@hybridcompute/backend-worker.ready';

/**
 * In the handshake (Node workers): an `Int32Array` on a `SharedArrayBuffer`
 * that the pool bumps and `Atomics.notify`s after each message it sends. From
 * the pool, `{ [wakeMessageKey]: true }` tells the worker to sleep on it when idle.
 */
export const wakeMessageKey = '@hybridcompute/backend-worker.wake';

/** Whether a message from a worker is its handshake. */
export function isReadyMessage(data: unknown): data is ReadyMessage {
  return typeof data === 'object' && data !== null && Array.isArray((data as Record<string, unknown>)[readyMessageKey]);
}

/**
 * What `runBatch` answers: the marker, then for each call in order an outcome
 * kind and a value (the result, a `SerializedThrown`, or nothing while pending).
 */
export type BatchOutcomes = [typeof batchMarker, ...unknown[]];

/** What `takeResults` answers: the marker, then `callId, kind, value` for each finished call. */
export type AsyncOutcomes = [typeof asyncMarker, ...unknown[]];

/** First element of a `runBatch` answer (outcomes in pairs). */
export const batchMarker = '@hybridcompute/backend-worker.batch';
/** First element of a `takeResults` answer (outcomes in triples). */
export const asyncMarker = '@hybridcompute/backend-worker.async';

/** The call fulfilled; the value is its result. */
export const outcomeFulfilled = 0;
/** The call failed; the value is a `SerializedThrown`. */
export const outcomeRejected = 1;
/** The call is still running; its outcome comes through `takeResults`. */
export const outcomePending = 2;
