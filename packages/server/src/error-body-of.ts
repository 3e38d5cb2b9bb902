import { ComputeError, httpStatusOf, messageOf, type ComputeErrorBody } from '@hybridcompute/core';

/**
 * The status and body a failure is answered with. `error` stays a plain
 * string for clients of the older protocol; the rest carries the
 * `ComputeError` across, stacks only in debug.
 */
export function errorBodyOf(error: unknown, debug: boolean): { status: number; body: ComputeErrorBody } {
  const computeError = ComputeError.isInstance(error)
    ? error
    : new ComputeError({ code: 'TASK_FAILED', message: messageOf(error), cause: error });
  const { message, ...rest } = computeError.toJSON({ includeStack: debug });
  return { status: httpStatusOf(computeError.code), body: { error: message, ...rest } };
}

/** A `ComputeError` for a request the server refuses before any task runs. */
export function refusal(code: ComputeError['code'], message: string, taskName?: string): ComputeError {
  return new ComputeError({ code, message, taskName, backend: 'server' });
}
