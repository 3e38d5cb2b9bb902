import type { ComputeErrorCode, SerializedErrorCause } from '../compute-error.js';

/**
 * The body of `POST /compute`, as in the `@hybrid-compute/remote` protocol.
 * `input` may be left out for a task that takes none.
 */
export interface ComputeRequestBody {
  task: string;
  input?: unknown;
}

/** The answer to a call that succeeded: status 200. */
export interface ComputeSuccessBody {
  result: unknown;
}

/**
 * The answer to a call that failed: a 4xx/5xx status (see `httpStatusOf`).
 * `error` is a plain message string so that clients of the older protocol can
 * read it; the other fields carry the `ComputeError` across (`stack` only
 * from a server in debug mode).
 */
export interface ComputeErrorBody {
  error: string;
  code: ComputeErrorCode;
  name?: 'ComputeError';
  taskName?: string;
  backend?: string;
  cause?: SerializedErrorCause;
  stack?: string;
}

/** The answer to `GET /tasks`: the names the server can run, or `null` when its backend cannot list them. */
export interface TaskListBody {
  tasks: string[] | null;
}

/** A WebSocket call id: clients of the older protocol send numbers. */
export type WireCallId = string | number;

/** A call sent over the WebSocket. `timeout` (milliseconds) is the caller's deadline. */
export interface WireCallFrame {
  id: WireCallId;
  task: string;
  input?: unknown;
  timeout?: number;
}

/** Cancels the call with that id: the server aborts its task's signal. */
export interface WireCancelFrame {
  id: WireCallId;
  cancel: true;
}

/** A WebSocket call's success. */
export interface WireResultFrame {
  id: WireCallId;
  result: unknown;
}

/** A WebSocket call's failure; `id` is `null` when the frame it answers had none that could be read. */
export interface WireErrorFrame extends ComputeErrorBody {
  id: WireCallId | null;
}

/** The request header that carries a call's remaining deadline in milliseconds. */
export const timeoutHeader = 'x-compute-timeout';

/** The request header that carries a call's idempotency key. */
export const idempotencyKeyHeader = 'idempotency-key';
