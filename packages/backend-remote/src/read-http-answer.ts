import { ComputeError } from '@hybridcompute/core';
import { parseEncodings, type WireEncoding } from '@hybridcompute/wire/json';
import { loadedMsgpackCodec } from './msgpack-codec-loader.js';
import { errorFromAnswer } from './error-from-answer.js';
import { TransportFailure, type HttpAnswer } from './http-transport.js';
import { rememberRetryAfter } from './retry-delay.js';

/**
 * What `GET /tasks` said: the tasks (`undefined` when the server cannot list
 * them, `listed: false`, so `canRun` asks the server) and its admission limit;
 * or `'unsupported'` from a server of the older protocol, which has no such route.
 */
export type TaskListAnswer =
  | { tasks: string[] | undefined; maxConcurrency: number | undefined; encodings: WireEncoding[]; streaming: boolean }
  | 'unsupported';

// The body in its own encoding; `undefined` for one that does not decode, which the callers report.
// A server answers MessagePack only to MessagePack, so its codec is loaded when such an answer comes.
function parseBody(answer: HttpAnswer): unknown {
  try {
    return answer.bytes === undefined ? JSON.parse(answer.text) : loadedMsgpackCodec()?.decode(answer.bytes);
  } catch {
    return undefined;
  }
}

// No compute handler took the request: a proxy or a wrong URL. Nothing ran, so it is safe to send elsewhere.
function redirected(method: string, url: URL, status: number): TransportFailure {
  const what = status === 0 ? 'a redirect' : `HTTP ${status}, a redirect`;
  return new TransportFailure(`${method} ${url.href} answered ${what}, not a compute answer (is the endpoint URL right?)`, false, undefined);
}

function isRedirect(status: number): boolean {
  // fetch with redirect: 'manual' reports a redirect as status 0.
  return status === 0 || (status >= 300 && status < 400);
}

/**
 * Reads the answer to `POST /compute`: the result, or throws its error. 3xx
 * throws a {@link TransportFailure} that never reached a compute server
 * (the router may fall back); a 2xx without `{ result }` (a 204, garbage)
 * is `PROTOCOL_ERROR`, since the task may have run.
 *
 * @example
 * ```ts
 * readComputeAnswer({ status: 200, retryAfter: undefined, text: '{"result":42}' }, url, 'double', 'remote'); // 42
 * ```
 */
export function readComputeAnswer(answer: HttpAnswer, url: URL, taskName: string, backend: string): unknown {
  const { status } = answer;
  if (isRedirect(status)) throw redirected('POST', url, status);
  const parsed = parseBody(answer);
  if (status >= 200 && status < 300) {
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      if (Object.hasOwn(parsed, 'result')) return (parsed as { result: unknown }).result;
      // JSON leaves out a result that is undefined: `{}` is the answer of a task that returned nothing.
      if (Object.keys(parsed).length === 0) return undefined;
      // Older servers may answer { error } with a 200.
      if (typeof (parsed as { error?: unknown }).error === 'string') throw errorFromAnswer(parsed, undefined, taskName, backend);
    }
    const what = answer.text.length === 0 && answer.bytes === undefined ? 'an empty body' : 'a body that is not { result }';
    throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `${url.href} answered HTTP ${status} with ${what}`, taskName, backend });
  }
  const error = errorFromAnswer(parsed, status, taskName, backend);
  rememberRetryAfter(error, answer.retryAfter);
  throw error;
}

/**
 * Reads the answer to `GET /tasks` (see {@link TaskListAnswer}); throws what
 * `connect()` rejects with, or a {@link TransportFailure} for a redirect so
 * the next endpoint is asked.
 *
 * @example
 * ```ts
 * readTaskList({ status: 200, retryAfter: undefined, text: '{"tasks":["double"],"maxConcurrency":64}' }, url, 'remote');
 * // { tasks: ['double'], maxConcurrency: 64 }
 * ```
 */
export function readTaskList(answer: HttpAnswer, url: URL, backend: string): TaskListAnswer {
  const { status } = answer;
  if (status === 404 || status === 405) return 'unsupported';
  if (isRedirect(status)) throw redirected('GET', url, status);
  const body = parseBody(answer);
  if (status < 200 || status >= 300) throw errorFromAnswer(body, status, undefined, backend);
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const tasks = fields?.['tasks'];
  if (fields === undefined || !(tasks === null || (Array.isArray(tasks) && tasks.every((name) => typeof name === 'string')))) {
    const what = answer.text.length === 0 ? `HTTP ${status} with an empty body` : `HTTP ${status} without { tasks: string[] }`;
    throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `GET ${url.href} answered ${what}`, backend });
  }
  const limit = fields['maxConcurrency'];
  return {
    // null is what servers before the `listed` flag said for "cannot list".
    tasks: tasks === null || fields['listed'] === false ? undefined : (tasks as string[]),
    maxConcurrency: typeof limit === 'number' && Number.isSafeInteger(limit) && limit > 0 ? limit : (answer.maxConcurrency ?? undefined),
    // A server that lists none speaks JSON only, as every server before MessagePack did.
    encodings: parseEncodings(fields['encodings'] ?? answer.encodings),
    // A server that does not say it streams cannot: an older one would answer a stream with a plain result.
    streaming: fields['streaming'] === true,
  };
}
