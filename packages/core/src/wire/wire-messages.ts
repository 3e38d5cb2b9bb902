import type { ComputeErrorCode, SerializedErrorCause } from '../compute-error.js';

/**
 * The body of `POST /compute`, as in the `@hybrid-compute/remote` protocol.
 * `input` may be left out for a task that takes none.
 *
 * @example
 * ```ts
 * const body: ComputeRequestBody = { task: 'double', input: 21 };
 * await fetch('http://127.0.0.1:8080/compute', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
 * ```
 */
export interface ComputeRequestBody {
  task: string;
  input?: unknown;
}

/**
 * The answer to a call that succeeded: status 200.
 *
 * @example
 * ```ts
 * const { result } = (await response.json()) as ComputeSuccessBody; // { "result": 42 }
 * ```
 */
export interface ComputeSuccessBody {
  result: unknown;
}

/**
 * The answer to a call that failed: a 4xx/5xx status (see `httpStatusOf`).
 * `error` is a plain message string so that clients of the older protocol can
 * read it; the other fields carry the `ComputeError` across (`stack` only
 * from a server in debug mode).
 *
 * @example
 * ```ts
 * // 422 { "error": "Task 'double' failed: not a number", "code": "TASK_FAILED", "name": "ComputeError", ... }
 * const body = (await response.json()) as ComputeErrorBody;
 * const error = ComputeError.fromJSON({ ...body, name: 'ComputeError', message: body.error });
 * ```
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

/**
 * The answer to `GET /tasks`: the names the server can run, or `null` when its backend cannot list them.
 *
 * @example
 * ```ts
 * const { tasks } = (await (await fetch('http://127.0.0.1:8080/tasks')).json()) as TaskListBody; // ['double', 'resize']
 * ```
 */
export interface TaskListBody {
  tasks: string[] | null;
}

/**
 * A WebSocket call id: clients of the older protocol send numbers.
 *
 * @example
 * ```ts
 * const ids: WireCallId[] = [1, 'resize-7f3a'];
 * ```
 */
export type WireCallId = string | number;

/**
 * A call sent over the WebSocket. `timeout` (milliseconds) is the caller's deadline.
 *
 * @example
 * ```ts
 * const frame: WireCallFrame = { id: 1, task: 'double', input: 21, timeout: 5_000 };
 * socket.send(JSON.stringify(frame)); // answered by { "id": 1, "result": 42 }
 * ```
 */
export interface WireCallFrame {
  id: WireCallId;
  task: string;
  input?: unknown;
  timeout?: number;
  /** W3C trace context of the caller's span, sent only when a tracer is active (as the HTTP `traceparent` header is). */
  traceparent?: string;
  /** W3C `tracestate`, beside `traceparent` when the caller's context has one. */
  tracestate?: string;
}

/**
 * Cancels the call with that id: the server aborts its task's signal.
 *
 * @example
 * ```ts
 * const cancel: WireCancelFrame = { id: 1, cancel: true };
 * socket.send(JSON.stringify(cancel)); // no answer follows for id 1
 * ```
 */
export interface WireCancelFrame {
  id: WireCallId;
  cancel: true;
}

/**
 * A WebSocket call's success.
 *
 * @example
 * ```ts
 * const frame = JSON.parse(String(event.data)) as WireResultFrame | WireErrorFrame;
 * if ('result' in frame) pending.get(frame.id)?.resolve(frame.result);
 * ```
 */
export interface WireResultFrame {
  id: WireCallId;
  result: unknown;
}

/**
 * A WebSocket call's failure; `id` is `null` when the frame it answers had none that could be read.
 *
 * @example
 * ```ts
 * // { "id": 2, "error": "Task 'nope' is not served here", "code": "TASK_NOT_FOUND", ... }
 * const frame = JSON.parse(String(event.data)) as WireErrorFrame;
 * if (frame.id !== null) pending.get(frame.id)?.reject(new Error(frame.error));
 * ```
 */
export interface WireErrorFrame extends ComputeErrorBody {
  id: WireCallId | null;
}

/**
 * The request header that carries a call's remaining deadline in milliseconds.
 *
 * @example
 * ```ts
 * const headers = { 'content-type': 'application/json', [timeoutHeader]: String(deadline - Date.now()) };
 * ```
 */
export const timeoutHeader = 'x-compute-timeout';

/**
 * The request header that carries a call's idempotency key: a call with one
 * may be retried after a 503 or a lost connection.
 *
 * @example
 * ```ts
 * const headers = { 'content-type': 'application/json', [idempotencyKeyHeader]: `invoice-${invoiceId}` };
 * ```
 */
export const idempotencyKeyHeader = 'idempotency-key';
