import { backendUnavailableError, ComputeError, withCallNames, type StreamCallOptions, type StreamTaskOptions } from '@hybridcompute/core';
import type { HttpTransport } from './http-transport.js';
import { streamOverHttp } from './http-stream-call.js';
import { loadMsgpackCodec } from './msgpack-codec-loader.js';
import { codecFor, refusalToSend } from './refusal-to-send.js';
import type { RemoteEncoding } from './remote-backend-options.js';
import type { RemoteEndpoint } from './remote-endpoint.js';

/**
 * Options of `RemoteBackend.streamTask`: a stream's (`signal`, `timeout`,
 * `onProgress`, `highWaterMark`). Over WebSocket, `highWaterMark` is the
 * credit the server is given; over HTTP, TCP's backpressure paces it.
 *
 * @example
 * ```ts
 * const options: RemoteStreamOptions = { highWaterMark: 8, timeout: 30_000, signal: controller.signal };
 * for await (const tile of remote.streamTask('tiles', image, options)) draw(tile);
 * ```
 */
export type RemoteStreamOptions = StreamTaskOptions;

/** What a stream needs from its backend. */
export interface RemoteStreamContext {
  backend: string;
  http: HttpTransport;
  encoding: RemoteEncoding;
  maxResponseBytes: number;
  authHeaders(): Record<string, string>;
  /** Asks the endpoint's `GET /tasks`, which sets whether it streams (and what it speaks). */
  askTaskList(endpoint: RemoteEndpoint): Promise<void>;
}

/**
 * Opens one stream to `endpoint`, over its WebSocket if it has one, else
 * over HTTP. A server not known to stream is asked first (`GET /tasks`);
 * one that does not say `"streaming": true` is refused with `INVALID_REQUEST`
 * before any call is sent: an older server would run the task and answer
 * only its result.
 */
export function openRemoteStream(context: RemoteStreamContext, endpoint: RemoteEndpoint, taskName: string, input: unknown, options: StreamCallOptions): AsyncIterable<unknown> {
  if (endpoint.streaming === true) return start(context, endpoint, taskName, input, options);
  return (async function* askFirst() {
    try {
      await endpoint.discoverStreaming(() => context.askTaskList(endpoint));
    } catch (error) {
      // The ask is the stream's first request: its failure is the stream's, coded and named like a call's.
      if (ComputeError.isInstance(error)) throw withCallNames(error, taskName, context.backend);
      const why = error instanceof Error ? error.message : String(error);
      throw backendUnavailableError(context.backend, `Could not ask ${endpoint.tasksUrl.href} whether it streams, for task '${taskName}': ${why}`, { taskName, cause: error });
    }
    yield* start(context, endpoint, taskName, input, options);
  })();
}

function start(context: RemoteStreamContext, endpoint: RemoteEndpoint, taskName: string, input: unknown, options: StreamCallOptions): AsyncIterable<unknown> {
  const { backend } = context;
  if (endpoint.streaming !== true) {
    throw new ComputeError({
      code: 'INVALID_REQUEST',
      message: `The server at ${endpoint.url.href} does not stream (its GET /tasks does not say "streaming": true): task '${taskName}' cannot be streamed from it; use runTask`,
      taskName,
      backend,
    });
  }
  if (endpoint.channel !== undefined) return endpoint.channel.stream(taskName, input, options, options.highWaterMark);
  const codec = codecFor(context.encoding, endpoint.encodings);
  if (codec === undefined) {
    // MessagePack is wanted and its codec not loaded yet: load it first (see msgpack-codec-loader.ts).
    return (async function* loadCodecFirst() {
      await loadMsgpackCodec(backend);
      yield* start(context, endpoint, taskName, input, options);
    })();
  }
  const refusal = refusalToSend(codec, input, taskName, backend, endpoint.url);
  if (refusal !== undefined) throw refusal;
  return streamOverHttp(context.http, endpoint, { taskName, input, codec, headers: context.authHeaders(), options, backend, maxRecordBytes: context.maxResponseBytes });
}
