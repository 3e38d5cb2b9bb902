import { ComputeError } from '@hybridcompute/core';
import { encodingOfContentType, encodingsHeader, parseEncodings, type WireEncoding } from '@hybridcompute/wire/json';
import type { HttpStreamResponse } from './http-stream-response.js';

/**
 * The response header in which a compute server advertises its admission
 * limit (`maxConcurrency`), on every HTTP answer and on the WebSocket upgrade.
 *
 * @example
 * ```ts
 * const limit = Number(response.headers.get(maxConcurrencyHeader)); // 64
 * ```
 */
export const maxConcurrencyHeader = 'x-compute-max-concurrency';

/**
 * What an HTTP transport hands back: the status, `Retry-After`, the body as
 * text, and the server's advertised `maxConcurrency` (the
 * {@link maxConcurrencyHeader} header) when it sent one.
 *
 * @example
 * ```ts
 * const answer: HttpAnswer = { status: 503, retryAfter: '1', text: '{"error":"busy","code":"QUEUE_FULL"}', maxConcurrency: 64 };
 * ```
 */
export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  /** The body as text; empty when it came as MessagePack (see `bytes`). */
  text: string;
  /** The body, when its `Content-Type` says MessagePack. */
  bytes?: Uint8Array | undefined;
  maxConcurrency?: number | undefined;
  /** The encodings the server lists in `x-compute-encodings`, when it sent the header. */
  encodings?: readonly WireEncoding[] | undefined;
}

/**
 * Builds an {@link HttpAnswer} from what a transport read: the body's bytes
 * become `bytes` under a MessagePack `Content-Type`, text otherwise; the
 * headers give `Retry-After`, the admission limit and the encodings offered.
 *
 * @example
 * ```ts
 * return answerOf(response.status, body, (name) => response.headers.get(name) ?? undefined);
 * ```
 */
export function answerOf(status: number, body: Uint8Array, header: (name: string) => string | string[] | undefined): HttpAnswer {
  const isMsgpack = encodingOfContentType(firstOf(header('content-type'))) === 'msgpack';
  return {
    status,
    retryAfter: firstOf(header('retry-after')),
    text: isMsgpack ? '' : textDecoder.decode(body),
    bytes: isMsgpack ? body : undefined,
    maxConcurrency: maxConcurrencyOf(header(maxConcurrencyHeader)),
    encodings: offeredEncodings(firstOf(header(encodingsHeader))),
  };
}

function firstOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// A server sends the same x-compute-encodings on every answer: it is parsed once, and the list shared (read-only).
let lastOffered: string | undefined;
let lastOfferedEncodings: readonly WireEncoding[] | undefined;

/**
 * The encodings an {@link encodingsHeader} value lists (see `parseEncodings`),
 * `undefined` without the header. The list is shared between answers: read it, never change it.
 *
 * @internal
 */
export function offeredEncodings(header: string | undefined): readonly WireEncoding[] | undefined {
  if (header === undefined) return undefined;
  if (header !== lastOffered) {
    lastOfferedEncodings = Object.freeze(parseEncodings(header));
    lastOffered = header;
  }
  return lastOfferedEncodings;
}

const textDecoder = new TextDecoder();

/**
 * Reads the {@link maxConcurrencyHeader} value: a positive integer, else `undefined`.
 *
 * @example
 * ```ts
 * maxConcurrencyOf('64'); // 64
 * maxConcurrencyOf('lots'); // undefined
 * ```
 */
export function maxConcurrencyOf(header: unknown): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') return undefined;
  // Every answer carries the header, the same each time: it is read once.
  if (value !== lastLimitHeader) {
    lastLimit = /^\d{1,9}$/.test(value.trim()) && Number(value) > 0 ? Number(value) : undefined;
    lastLimitHeader = value;
  }
  return lastLimit;
}

let lastLimitHeader: string | undefined;
let lastLimit: number | undefined;

/**
 * The `PROTOCOL_ERROR` of an answer (an HTTP body or a WebSocket frame)
 * longer than `maxResponseBytes`: the client stops reading it there.
 *
 * @example
 * ```ts
 * if (received > maxResponseBytes) throw responseTooLargeError(url, maxResponseBytes);
 * ```
 */
export function responseTooLargeError(url: URL, maxResponseBytes: number, taskName?: string, backend?: string): ComputeError {
  return new ComputeError({
    code: 'PROTOCOL_ERROR',
    message: `The answer from ${url.href} is over maxResponseBytes (${maxResponseBytes} bytes); the client stopped reading it`,
    taskName,
    backend,
  });
}

/**
 * The HTTP half of a platform: undici's pools in Node, `fetch` in browsers.
 * Failures before an answer arrives throw a {@link TransportFailure}, or the
 * signal's reason when it aborted.
 *
 * @example
 * ```ts
 * const fetchTransport: HttpTransport = {
 *   async request(method, url, headers, body, signal) {
 *     const response = await fetch(url, { method, headers, body: body ?? null, signal: signal ?? null });
 *     return { status: response.status, retryAfter: response.headers.get('retry-after') ?? undefined, text: await response.text() };
 *   },
 *   async close() {},
 * };
 * ```
 */
export interface HttpTransport {
  request(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | Uint8Array | undefined, signal: AbortSignal | undefined): Promise<HttpAnswer>;
  /**
   * Optional: sends a request whose answer may be streamed (see
   * {@link HttpStreamResponse}). Without it, a transport carries no
   * progress, and `streamTask` over it is refused with `INVALID_REQUEST`.
   */
  requestStream?(method: 'POST', url: URL, headers: Record<string, string>, body: string | Uint8Array, signal: AbortSignal | undefined): Promise<HttpStreamResponse>;
  close(): Promise<void>;
}

/**
 * Options every HTTP transport understands: `createRemoteBackend`'s
 * `connections` and `keepAliveTimeout`, with their defaults filled in.
 *
 * @example
 * ```ts
 * const platform: RemotePlatform = {
 *   createHttpTransport: ({ connections, keepAliveTimeout, maxResponseBytes }: HttpTransportOptions) =>
 *     new MyPooledTransport(connections, keepAliveTimeout, maxResponseBytes),
 *   createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
 * };
 * ```
 */
export interface HttpTransportOptions {
  /** Connections per endpoint origin. */
  connections: number;
  /** Milliseconds an idle connection is kept open for reuse. */
  keepAliveTimeout: number;
  /** The longest body to read, in bytes: past it the request fails with `PROTOCOL_ERROR`. */
  maxResponseBytes: number;
  /** Node: the CA and client certificate of the `tls` option, for the transport's connections. */
  tls?: import('./remote-tls-options.js').TlsClientSettings | undefined;
  /** Node: the `dispatcher` option, which then carries every request. */
  dispatcher?: import('./remote-tls-options.js').RemoteDispatcher | undefined;
}

/**
 * A call that got no answer: what an {@link HttpTransport} throws when the
 * request failed before a response arrived. `delivered: false` means the
 * request provably never reached a server (connection refused): sending it
 * elsewhere cannot run the task twice. The backend turns it into
 * `BACKEND_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * try {
 *   response = await fetch(url, init);
 * } catch (error) {
 *   throw new TransportFailure(`POST ${url.href} failed`, true, error); // it may have reached the server
 * }
 * ```
 */
export class TransportFailure extends Error {
  readonly delivered: boolean;

  constructor(message: string, delivered: boolean, cause: unknown) {
    super(message, { cause });
    this.name = 'TransportFailure';
    this.delivered = delivered;
  }
}
