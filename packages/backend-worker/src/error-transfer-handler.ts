import { ComputeError, computeErrorCodes, messageOf, type ComputeErrorCode } from '@hybridcompute/core';
import { transferHandlers, type TransferHandler } from 'comlink';

/**
 * A thrown value as it crosses between threads. comlink's own handler keeps
 * only an error's name, message and stack; this one also keeps `code`, the
 * `cause` chain, a `ComputeError`'s fields and any other own property that
 * can be cloned.
 *
 * @example
 * ```ts
 * // what a task's `throw Object.assign(new Error('no stock'), { code: 'E_STOCK' })` becomes on the wire
 * const thrown: SerializedThrown = { kind: 'error', error: { name: 'Error', message: 'no stock', properties: { code: 'E_STOCK' } } };
 * ```
 */
export type SerializedThrown =
  | { readonly kind: 'error'; readonly error: SerializedError }
  | { readonly kind: 'value'; readonly value: unknown };

/**
 * An `Error` as {@link SerializedThrown} carries it.
 *
 * @example
 * ```ts
 * const error: SerializedError = {
 *   name: 'ComputeError',
 *   message: "Task 'resize' failed: bad size",
 *   compute: { code: 'TASK_FAILED', taskName: 'resize' },
 *   cause: { kind: 'error', error: { name: 'RangeError', message: 'bad size' } },
 * };
 * ```
 */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** Set for a `ComputeError`: rebuilt as one on the other side. */
  compute?: { code: ComputeErrorCode; taskName?: string; backend?: string };
  /** Own enumerable properties other than the ones above (`code` among them). */
  properties?: Record<string, unknown>;
  cause?: SerializedThrown;
  /** An `AggregateError`'s `errors` (not enumerable, so not among `properties`). */
  errors?: SerializedThrown[];
}

const installedMarker = Symbol.for('@hybridcompute/backend-worker.errorTransferHandler');
// Causes can be cyclic; a boundary only needs the first links.
const maxCauseDepth = 8;
// An AggregateError carries at most this many of its errors across.
const maxAggregated = 100;
const builtInErrors: Record<string, ErrorConstructor> = {
  Error,
  EvalError,
  RangeError,
  ReferenceError,
  SyntaxError,
  TypeError,
  URIError,
};
const reservedKeys = new Set(['name', 'message', 'stack', 'cause']);

/**
 * Makes errors thrown across a comlink boundary arrive whole. `exposeTasks`
 * calls it in the worker; the pool reads thrown values itself and does not
 * need it. Call it for your own comlink endpoints; calling it again does nothing.
 *
 * It replaces comlink's `'throw'` handler for the whole app, keeping comlink's
 * test for what counts as a thrown value, and still reads comlink's own format,
 * so other comlink users in the app keep working.
 *
 * @example
 * ```ts
 * // your own comlink endpoints get the same whole errors
 * import { installErrorTransferHandler } from '@hybridcompute/backend-worker';
 * import { wrap } from 'comlink';
 *
 * installErrorTransferHandler();
 * const api = wrap<MyApi>(new Worker(new URL('./api.worker.js', import.meta.url), { type: 'module' }));
 * ```
 */
export function installErrorTransferHandler(): void {
  const current = transferHandlers.get('throw') as (TransferHandler<unknown, unknown> & { [installedMarker]?: true }) | undefined;
  if (current === undefined || current[installedMarker] === true) return;
  const handler: TransferHandler<unknown, unknown> & { [installedMarker]: true } = {
    [installedMarker]: true,
    canHandle: current.canHandle,
    serialize: (thrown) => [serializeThrown((thrown as { value: unknown }).value, 0), []],
    deserialize: (serialized) => {
      throw deserializeThrown(serialized, 0);
    },
  };
  transferHandlers.set('throw', handler);
}

/** Turns any thrown value into something `postMessage` can clone. Never throws. */
export function serializeThrown(value: unknown, depth = 0): SerializedThrown {
  try {
    if (!isErrorLike(value)) return { kind: 'value', value: cloneable(value) ? value : messageOf(value) };
    return { kind: 'error', error: serializeError(value, depth) };
  } catch {
    // Throwing getters and revoked Proxies exist; an error on its way out must still go.
    return { kind: 'error', error: { name: 'Error', message: '[a thrown value that could not be read]' } };
  }
}

/** Rebuilds what {@link serializeThrown} produced; also reads comlink's default `{ isError, value }` format. */
export function deserializeThrown(serialized: unknown, depth = 0): unknown {
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  const record = serialized as Record<string, unknown>;
  if (record['kind'] === 'value') return record['value'];
  if (record['kind'] === 'error' && typeof record['error'] === 'object' && record['error'] !== null) {
    return deserializeError(record['error'] as SerializedError, depth);
  }
  // comlink's own format, from a peer that did not install this handler.
  if (typeof record['isError'] === 'boolean') {
    if (!record['isError']) return record['value'];
    const plain = (record['value'] ?? {}) as { name?: unknown; message?: unknown; stack?: unknown };
    const error = new Error(typeof plain.message === 'string' ? plain.message : '');
    if (typeof plain.name === 'string') error.name = plain.name;
    if (typeof plain.stack === 'string') error.stack = plain.stack;
    return error;
  }
  return serialized;
}

function serializeError(error: Error, depth: number): SerializedError {
  const serialized: SerializedError = {
    name: typeof error.name === 'string' ? error.name : 'Error',
    message: typeof error.message === 'string' ? error.message : messageOf(error),
  };
  if (typeof error.stack === 'string') serialized.stack = error.stack;
  if (ComputeError.isInstance(error)) {
    serialized.compute = { code: error.code };
    if (typeof error.taskName === 'string') serialized.compute.taskName = error.taskName;
    if (typeof error.backend === 'string') serialized.compute.backend = error.backend;
  } else {
    let properties: Record<string, unknown> | undefined;
    for (const key of Object.keys(error)) {
      if (reservedKeys.has(key)) continue;
      const property = (error as unknown as Record<string, unknown>)[key];
      if (!cloneable(property)) continue;
      (properties ??= {})[key] = property;
    }
    if (properties !== undefined) serialized.properties = properties;
  }
  if (error.cause !== undefined && depth < maxCauseDepth) serialized.cause = serializeThrown(error.cause, depth + 1);
  const errors = (error as { errors?: unknown }).errors;
  if (error.name === 'AggregateError' && Array.isArray(errors) && depth < maxCauseDepth) serialized.errors = errors.slice(0, maxAggregated).map((inner) => serializeThrown(inner, depth + 1));
  return serialized;
}

function deserializeError(serialized: SerializedError, depth: number): Error {
  const cause = serialized.cause !== undefined && depth < maxCauseDepth ? { cause: deserializeThrown(serialized.cause, depth + 1) } : {};
  const message = typeof serialized.message === 'string' ? serialized.message : '';
  let error: Error;
  if (serialized.compute !== undefined && computeErrorCodes.includes(serialized.compute.code)) {
    error = new ComputeError({ code: serialized.compute.code, message, taskName: serialized.compute.taskName, backend: serialized.compute.backend, ...cause });
  } else {
    const name = typeof serialized.name === 'string' ? serialized.name : 'Error';
    // Built-in kinds come back as themselves, so `instanceof TypeError` still works.
    if (name === 'AggregateError' && Array.isArray(serialized.errors)) {
      error = new AggregateError(
        serialized.errors.map((inner) => deserializeThrown(inner, depth + 1)),
        message,
        cause,
      );
    } else {
      error = new (builtInErrors[name] ?? Error)(message, cause);
    }
    if (error.name !== name) error.name = name;
    if (serialized.properties !== undefined) Object.assign(error, serialized.properties);
  }
  error.stack = typeof serialized.stack === 'string' ? serialized.stack : `${error.name}: ${message}`;
  return error;
}

function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && Object.prototype.toString.call(value) === '[object Error]');
}

function cloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return true;
  if (typeof value !== 'object') return false;
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}
