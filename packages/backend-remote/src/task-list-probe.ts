import type { ComputeError } from '@hybridcompute/core';
import type { WireEncoding } from '@hybridcompute/wire/json';
import { loadedMsgpackCodec } from './msgpack-codec-loader.js';
import { errorFromAnswer } from './error-from-answer.js';
import type { HttpTransport } from './http-transport.js';
import { readTaskList } from './read-http-answer.js';
import type { RemoteEndpoint } from './remote-endpoint.js';

/** What asking a server's `GET /tasks` outside `connect()` takes. */
export interface TaskListProbe {
  http: HttpTransport;
  headers(): Record<string, string>;
  /** How long one ask may take. */
  timeoutMs: number;
  backend: string;
}

/**
 * What the server at `endpoint` says it speaks: `undefined` from a server
 * too old to say. Also teaches the endpoint its admission limit and whether
 * it streams.
 */
export async function askEncodings(probe: TaskListProbe, endpoint: RemoteEndpoint): Promise<readonly WireEncoding[] | undefined> {
  const answer = await probe.http.request('GET', endpoint.tasksUrl, probe.headers(), undefined, AbortSignal.timeout(probe.timeoutMs));
  endpoint.admission.learn(answer.maxConcurrency);
  if (answer.status < 200 || answer.status >= 300) return answer.encodings;
  const list = readTaskList(answer, endpoint.tasksUrl, probe.backend);
  endpoint.streaming = list !== 'unsupported' && list.streaming;
  return list === 'unsupported' ? undefined : list.encodings;
}

/** Asked when a WebSocket would not open and the platform cannot say why: is it the token? */
export async function whyRefused(probe: TaskListProbe, endpoint: RemoteEndpoint): Promise<ComputeError | undefined> {
  const answer = await probe.http.request('GET', endpoint.tasksUrl, probe.headers(), undefined, AbortSignal.timeout(probe.timeoutMs));
  if (answer.status !== 401 && answer.status !== 403) return undefined;
  let body: unknown;
  try {
    body = answer.bytes === undefined ? JSON.parse(answer.text) : loadedMsgpackCodec()?.decode(answer.bytes);
  } catch {
    body = undefined;
  }
  return errorFromAnswer(body, answer.status, undefined, probe.backend);
}
