import type { ComputeErrorCode } from '../compute-error.js';

/**
 * The HTTP status a compute server answers each error code with: the error
 * table in docs/architecture.md. A task's own failure is 422, not 500, so that generic retry layers
 * never re-run it; codes that only arise on the caller's side map to 500.
 *
 * @example
 * ```ts
 * response.writeHead(httpStatusOf(error.code), { 'content-type': 'application/json' });
 * ```
 */
export function httpStatusOf(code: ComputeErrorCode): number {
  switch (code) {
    case 'INVALID_REQUEST':
    case 'PROTOCOL_ERROR':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'TASK_NOT_FOUND':
      return 404;
    case 'TASK_FAILED':
      return 422;
    case 'BACKEND_UNAVAILABLE':
    case 'QUEUE_FULL':
      return 503;
    case 'TASK_TIMEOUT':
      return 504;
    default:
      return 500;
  }
}

/**
 * The error code a client reads from a failed response's status when the
 * body names none (a server written for the `@hybrid-compute/remote`
 * protocol sends only `{ error }`). Such servers answer every failure of the
 * call itself, the task's own included, with 400, so 400 reads as
 * `TASK_FAILED`; 429 reads as `QUEUE_FULL`; 5xx statuses without a more
 * precise meaning read as `BACKEND_UNAVAILABLE`, so a router falls back.
 *
 * @example
 * ```ts
 * const code = isComputeErrorCode(body.code) ? body.code : codeOfHttpStatus(response.statusCode);
 * ```
 */
export function codeOfHttpStatus(status: number): ComputeErrorCode {
  switch (status) {
    case 401:
    case 403:
      return 'UNAUTHORIZED';
    case 404:
      return 'TASK_NOT_FOUND';
    case 413:
      return 'INVALID_REQUEST';
    case 429:
      return 'QUEUE_FULL';
    case 504:
      return 'TASK_TIMEOUT';
    default:
      return status >= 500 ? 'BACKEND_UNAVAILABLE' : 'TASK_FAILED';
  }
}
