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
   */
  runBatch(calls: unknown[]): unknown[];
  /** Resolves, once there are any, with the outcomes of batched calls that finished asynchronously: {@link AsyncOutcomes}. */
  takeResults(): Promise<unknown[]>;
  /** Aborts the `ctx.signal` of a running call, with the main side's reason. */
  cancel(callId: number, reason: SerializedComputeError): void;
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
