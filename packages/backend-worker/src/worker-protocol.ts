import type { SerializedComputeError } from '@hybridcompute/core';

/**
 * What `exposeTasks` serves over comlink. Internal: both ends of one package
 * version speak it.
 */
export interface WorkerApi {
  /** Runs a task; `callId` names the call for `cancel`. */
  run(callId: number, taskName: string, input: unknown): unknown;
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

/** Whether a message from a worker is its handshake. */
export function isReadyMessage(data: unknown): data is ReadyMessage {
  return typeof data === 'object' && data !== null && Array.isArray((data as Record<string, unknown>)[readyMessageKey]);
}
