import { codeOfHttpStatus, ComputeError, computeErrorCodes, type ComputeErrorCode } from '@hybridcompute/core';

/**
 * Turns a failed answer (an HTTP error body or a WebSocket error frame) into
 * a `ComputeError`. Our server sends the whole error; a server of the older
 * protocol sends only `{ error: string }`, whose code then comes from the status.
 */
export function errorFromAnswer(body: unknown, status: number | undefined, taskName: string, backend: string): ComputeError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof fields['error'] === 'string' ? fields['error'] : typeof fields['message'] === 'string' ? fields['message'] : undefined;
  const code = isCode(fields['code']) ? fields['code'] : status === undefined ? 'TASK_FAILED' : codeOfHttpStatus(status);
  if (isCode(fields['code']) && message !== undefined) {
    const error = ComputeError.fromJSON({ ...fields, message, code });
    return error.backend === undefined && error.taskName === undefined ? withNames(error, taskName, backend) : error;
  }
  return new ComputeError({
    code,
    message: message ?? `Task '${taskName}' failed${status === undefined ? '' : ` with HTTP ${status}`}`,
    taskName,
    backend,
    ...(message === undefined ? {} : { cause: Object.assign(new Error(message), { name: 'RemoteError' }) }),
  });
}

function withNames(error: ComputeError, taskName: string, backend: string): ComputeError {
  return new ComputeError({ code: error.code, message: error.message, taskName, backend, cause: error.cause });
}

function isCode(value: unknown): value is ComputeErrorCode {
  return typeof value === 'string' && (computeErrorCodes as readonly string[]).includes(value);
}
