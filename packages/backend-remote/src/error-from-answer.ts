import { codeOfHttpStatus, ComputeError, computeErrorCodes, withCallNames, type ComputeErrorCode } from '@hybridcompute/core';

/**
 * Turns a failed answer (an HTTP error body or a WebSocket error frame) into
 * a `ComputeError`. Our server sends the whole error; a server of the older
 * protocol sends only `{ error: string }`, whose code then comes from the status.
 * `taskName` is `undefined` for requests that are not calls (`GET /tasks`).
 */
export function errorFromAnswer(body: unknown, status: number | undefined, taskName: string | undefined, backend: string): ComputeError {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof fields['error'] === 'string' ? fields['error'] : typeof fields['message'] === 'string' ? fields['message'] : undefined;
  const code = isCode(fields['code']) ? fields['code'] : status === undefined ? 'TASK_FAILED' : codeOfHttpStatus(status);
  if (isCode(fields['code']) && message !== undefined) {
    const { id: _id, duplicateId: _duplicate, ...errorFields } = fields;
    return withCallNames(ComputeError.fromJSON({ ...errorFields, message, code }), taskName, backend);
  }
  const what = taskName === undefined ? 'The request' : `Task '${taskName}'`;
  return new ComputeError({
    code,
    message: message ?? `${what} failed${status === undefined ? '' : ` with HTTP ${status}`}`,
    taskName,
    backend,
    ...(message === undefined ? {} : { cause: Object.assign(new Error(message), { name: 'RemoteError' }) }),
  });
}

function isCode(value: unknown): value is ComputeErrorCode {
  return typeof value === 'string' && (computeErrorCodes as readonly string[]).includes(value);
}
