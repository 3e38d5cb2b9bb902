import { messageOf } from './message-of.js';

/**
 * Every way a compute call can fail, as a string that survives any boundary
 * (worker, HTTP, queue). docs/architecture.md's error table says when each one is used.
 *
 * @example
 * ```ts
 * function isRetryable(code: ComputeErrorCode): boolean {
 *   // backpressure and a backend that cannot serve now pass; a task's own failure would fail again
 *   return code === 'BACKEND_UNAVAILABLE' || code === 'QUEUE_FULL';
 * }
 * ```
 */
export type ComputeErrorCode =
  | 'TASK_NOT_FOUND'
  | 'NO_BACKEND'
  | 'TASK_FAILED'
  | 'TASK_TIMEOUT'
  | 'TASK_ABORTED'
  | 'BACKEND_UNAVAILABLE'
  | 'QUEUE_FULL'
  | 'PROTOCOL_ERROR'
  | 'INVALID_REQUEST'
  | 'UNAUTHORIZED';

/**
 * All codes, for validation and exhaustive tables.
 *
 * @example
 * ```ts
 * function isComputeErrorCode(value: unknown): value is ComputeErrorCode {
 *   return computeErrorCodes.includes(value as ComputeErrorCode);
 * }
 * isComputeErrorCode('TASK_TIMEOUT'); // true
 * isComputeErrorCode('TIMEOUT'); // false
 * ```
 */
export const computeErrorCodes: readonly ComputeErrorCode[] = /* @__PURE__ */ Object.freeze([
  'TASK_NOT_FOUND',
  'NO_BACKEND',
  'TASK_FAILED',
  'TASK_TIMEOUT',
  'TASK_ABORTED',
  'BACKEND_UNAVAILABLE',
  'QUEUE_FULL',
  'PROTOCOL_ERROR',
  'INVALID_REQUEST',
  'UNAUTHORIZED',
]);

/**
 * The plain-object form of an error's cause, as it crosses a boundary.
 *
 * @example
 * ```ts
 * const json = new ComputeError({ code: 'TASK_FAILED', cause: new RangeError('n must be positive') }).toJSON();
 * const cause: SerializedErrorCause | undefined = json.cause;
 * // { name: 'RangeError', message: 'n must be positive' }
 * ```
 */
export interface SerializedErrorCause {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: SerializedErrorCause;
}

/**
 * One problem a task schema found in a value: where, and what is wrong.
 * `INVALID_REQUEST` errors from schema validation carry a list of them
 * across every boundary.
 *
 * @example
 * ```ts
 * const issue: ComputeErrorIssue = { path: ['size', 0], message: 'Expected a number' };
 * ```
 */
export interface ComputeErrorIssue {
  /** The keys from the value's root to the problem; absent for the value itself. */
  path?: (string | number)[];
  message: string;
}

/**
 * The plain-object form of a {@link ComputeError}: what `toJSON()` returns and `fromJSON()` reads.
 *
 * @example
 * ```ts
 * const sent: SerializedComputeError = new ComputeError({ code: 'QUEUE_FULL', taskName: 'double' }).toJSON();
 * // { name: 'ComputeError', code: 'QUEUE_FULL', message: "QUEUE_FULL for task 'double'", taskName: 'double' }
 * const received = ComputeError.fromJSON(JSON.parse(JSON.stringify(sent)));
 * received.code; // 'QUEUE_FULL'
 * ```
 */
export interface SerializedComputeError {
  name: 'ComputeError';
  code: ComputeErrorCode;
  message: string;
  taskName?: string;
  backend?: string;
  issues?: ComputeErrorIssue[];
  stack?: string;
  cause?: SerializedErrorCause;
}

/**
 * Options for {@link ComputeError}'s constructor.
 *
 * @example
 * ```ts
 * const options: ComputeErrorOptions = { code: 'BACKEND_UNAVAILABLE', taskName: 'double', backend: 'gpu' };
 * const error = new ComputeError(options);
 * error.message; // "BACKEND_UNAVAILABLE for task 'double' on backend 'gpu'" (the default message)
 * ```
 */
export interface ComputeErrorOptions {
  code: ComputeErrorCode;
  message?: string | undefined;
  taskName?: string | undefined;
  backend?: string | undefined;
  /** What a task schema found wrong (`INVALID_REQUEST`). */
  issues?: readonly ComputeErrorIssue[] | undefined;
  cause?: unknown;
}

const marker = Symbol.for('@hybridcompute/core.ComputeError');
// Causes can be cyclic or absurdly deep; a boundary only needs the first few links.
const maxSerializedCauseDepth = 8;

/**
 * The one error class of hybrid-compute. Every failure a backend or the router
 * reports is a `ComputeError` with a string `code`; the task's own error, when
 * there is one, is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await compute.runTask('double', 21, { timeout: 100 });
 * } catch (error) {
 *   if (ComputeError.isInstance(error) && error.code === 'TASK_TIMEOUT') retryLater();
 *   else throw error;
 * }
 * ```
 */
export class ComputeError extends Error {
  /** What kind of failure this is; stable across versions and boundaries. */
  readonly code: ComputeErrorCode;
  /** The task the call was for, where known. */
  readonly taskName: string | undefined;
  /** The backend that reported the failure, where known. */
  readonly backend: string | undefined;
  /** What a task schema found wrong in the input or output, for `INVALID_REQUEST` from validation. */
  readonly issues: readonly ComputeErrorIssue[] | undefined;

  constructor(options: ComputeErrorOptions) {
    super(options.message ?? defaultMessage(options), 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'ComputeError';
    this.code = options.code;
    this.taskName = options.taskName;
    this.backend = options.backend;
    this.issues = options.issues;
  }

  /**
   * Whether `value` is a `ComputeError`, also one made by another copy of
   * `@hybridcompute/core` in the same app, where `instanceof` would say no.
   */
  static isInstance(value: unknown): value is ComputeError {
    return typeof value === 'object' && value !== null && (value as { [marker]?: unknown })[marker] === true;
  }

  /**
   * The plain object that carries this error across a worker, the network or a
   * queue. Stacks are left out unless `includeStack` is set (servers in debug).
   */
  toJSON(options: { includeStack?: boolean | undefined } = {}): SerializedComputeError {
    // JSON.stringify passes a key string here; a caller may pass null.
    const includeStack = typeof options === 'object' && options !== null && options.includeStack === true;
    return serializeComputeError(this, includeStack, 0);
  }

  /**
   * Rebuilds a `ComputeError` from what {@link ComputeError.toJSON} produced,
   * with its `code`, `message` and `cause` chain intact. Anything that is not
   * such an object becomes a `PROTOCOL_ERROR`.
   */
  static fromJSON(json: unknown): ComputeError {
    try {
      return deserializeComputeError(json, 0);
    } catch (error) {
      // A hostile value (throwing getters, a revoked Proxy) is a protocol violation, not a crash.
      return new ComputeError({ code: 'PROTOCOL_ERROR', message: 'Received an error that could not be read', cause: error });
    }
  }
}

Object.defineProperty(ComputeError.prototype, marker, { value: true });

function defaultMessage(options: ComputeErrorOptions): string {
  const task = options.taskName === undefined ? '' : ` for task '${options.taskName}'`;
  const backend = options.backend === undefined ? '' : ` on backend '${options.backend}'`;
  return `${options.code}${task}${backend}`;
}

// `depth` counts links from the outermost error, so cyclic or hostile chains stop at the limit.
function serializeComputeError(error: ComputeError, includeStack: boolean, depth: number): SerializedComputeError {
  const json: SerializedComputeError = { name: 'ComputeError', code: error.code, message: String(error.message) };
  // Another copy of core may have put anything in these fields.
  if (typeof error.taskName === 'string') json.taskName = error.taskName;
  if (typeof error.backend === 'string') json.backend = error.backend;
  const issues = readIssues(error.issues);
  if (issues !== undefined) json.issues = issues;
  if (includeStack && typeof error.stack === 'string') json.stack = error.stack;
  if (error.cause !== undefined && depth < maxSerializedCauseDepth) {
    json.cause = serializeCause(error.cause, includeStack, depth + 1);
  }
  return json;
}

function deserializeComputeError(json: unknown, depth: number): ComputeError {
  if (!isSerializedComputeError(json)) {
    const message = typeof (json as { message?: unknown } | null)?.message === 'string' ? `: ${(json as { message: string }).message}` : '';
    return new ComputeError({
      code: 'PROTOCOL_ERROR',
      message: `Received an error that is not a serialized ComputeError${message}`,
      cause: json,
    });
  }
  const error = new ComputeError({
    code: json.code,
    message: json.message,
    taskName: typeof json.taskName === 'string' ? json.taskName : undefined,
    backend: typeof json.backend === 'string' ? json.backend : undefined,
    issues: readIssues(json.issues),
    ...(json.cause === undefined || depth >= maxSerializedCauseDepth ? {} : { cause: deserializeCause(json.cause, depth + 1) }),
  });
  error.stack = typeof json.stack === 'string' ? json.stack : `ComputeError: ${json.message}`;
  return error;
}

// A peer's list is read defensively: bounded, and only the fields an issue has.
const maxIssues = 100;
function readIssues(value: unknown): ComputeErrorIssue[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const issues: ComputeErrorIssue[] = [];
  for (const entry of value.slice(0, maxIssues)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { message, path } = entry as { message?: unknown; path?: unknown };
    if (typeof message !== 'string') continue;
    const keys = Array.isArray(path)
      ? path
          .slice(0, 32)
          .map((key: unknown) => (typeof key === 'object' && key !== null ? (key as { key?: unknown }).key : key))
          .filter((key): key is string | number => typeof key === 'string' || typeof key === 'number')
      : undefined;
    issues.push(keys === undefined || keys.length === 0 ? { message } : { path: keys, message });
  }
  return issues;
}

function isSerializedComputeError(value: unknown): value is SerializedComputeError {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate['message'] === 'string' && isComputeErrorCode(candidate['code']);
}

function isComputeErrorCode(value: unknown): value is ComputeErrorCode {
  return typeof value === 'string' && (computeErrorCodes as readonly string[]).includes(value);
}

function serializeCause(cause: unknown, includeStack: boolean, depth: number): SerializedErrorCause {
  try {
    return serializeCauseUnguarded(cause, includeStack, depth);
  } catch {
    // Throwing getters and revoked Proxies exist; an error on its way out must still go.
    return { name: 'Error', message: '[a cause that could not be read]' };
  }
}

function serializeCauseUnguarded(cause: unknown, includeStack: boolean, depth: number): SerializedErrorCause {
  // A nested ComputeError (a router over a router, a server relaying a backend) keeps its own fields.
  if (ComputeError.isInstance(cause) && isComputeErrorCode(cause.code)) return serializeComputeError(cause, includeStack, depth);
  if (typeof cause !== 'object' || cause === null) return { name: 'Error', message: messageOf(cause) };
  const source = cause as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; cause?: unknown };
  const serialized: SerializedErrorCause = {
    name: typeof source.name === 'string' ? source.name : 'Error',
    message: typeof source.message === 'string' ? source.message : messageOf(cause),
  };
  if (typeof source.code === 'string' || typeof source.code === 'number') serialized.code = String(source.code);
  if (includeStack && typeof source.stack === 'string') serialized.stack = source.stack;
  if (source.cause !== undefined && depth < maxSerializedCauseDepth) {
    serialized.cause = serializeCause(source.cause, includeStack, depth + 1);
  }
  return serialized;
}

function deserializeCause(json: unknown, depth: number): unknown {
  if (typeof json !== 'object' || json === null) return json;
  if (isSerializedComputeError(json) && (json as { name?: unknown }).name === 'ComputeError') return deserializeComputeError(json, depth);
  const source = json as Record<string, unknown>;
  const message = typeof source['message'] === 'string' ? source['message'] : '';
  const nested =
    source['cause'] !== undefined && depth < maxSerializedCauseDepth ? { cause: deserializeCause(source['cause'], depth + 1) } : undefined;
  const error = new Error(message, nested) as Error & { code?: string };
  error.name = typeof source['name'] === 'string' ? source['name'] : 'Error';
  if (typeof source['code'] === 'string') error.code = source['code'];
  error.stack = typeof source['stack'] === 'string' ? source['stack'] : `${error.name}: ${message}`;
  return error;
}
