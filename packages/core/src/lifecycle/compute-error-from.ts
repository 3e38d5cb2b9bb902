import { ComputeError, type ComputeErrorCode } from '../compute-error.js';
import { messageOf } from '../message-of.js';

/**
 * A `ComputeError` for any thrown value, naming the call's task and backend.
 * A `ComputeError` is kept (its missing `taskName` / `backend` filled in);
 * anything else becomes a `ComputeError` of `code` with the value as `cause`.
 *
 * @param code - the code for a value that is not a `ComputeError`.
 * @param context - the call's task and backend, and a message prefix for wrapped values.
 *
 * @example
 * ```ts
 * try {
 *   return await transport.send(request);
 * } catch (error) {
 *   // an undici or socket error is the backend's failure, not the task's
 *   throw computeErrorFrom(error, 'BACKEND_UNAVAILABLE', { taskName, backend: 'remote', message: `Could not reach ${url}` });
 * }
 * ```
 */
export function computeErrorFrom(
  value: unknown,
  code: ComputeErrorCode,
  context: { taskName?: string | undefined; backend?: string | undefined; message?: string | undefined } = {},
): ComputeError {
  if (ComputeError.isInstance(value)) return withCallNames(value, context.taskName, context.backend);
  const prefix = context.message ?? (context.taskName === undefined ? `${code}` : `Task '${context.taskName}' failed`);
  return new ComputeError({ code, message: `${prefix}: ${messageOf(value)}`, taskName: context.taskName, backend: context.backend, cause: value });
}

/**
 * Fills in a `ComputeError`'s `taskName` and `backend` where they are
 * missing, so every error a backend raises names both. Fields already set
 * (by an inner backend, a router nested in a router) are kept.
 *
 * @example
 * ```ts
 * call.reject(withCallNames(ComputeError.fromJSON(frame.error), taskName, this.name));
 * ```
 */
export function withCallNames(error: ComputeError, taskName: string | undefined, backend: string | undefined): ComputeError {
  const named = error as { taskName: string | undefined; backend: string | undefined };
  // Another copy of core may have frozen or proxied it; a name is a courtesy, never worth a crash.
  try {
    if (named.taskName === undefined && taskName !== undefined) named.taskName = taskName;
    if (named.backend === undefined && backend !== undefined) named.backend = backend;
  } catch {}
  return error;
}
