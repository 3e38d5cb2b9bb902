/**
 * What an HTTP transport hands back: the status, `Retry-After`, and the body as text.
 *
 * @example
 * ```ts
 * const answer: HttpAnswer = { status: 503, retryAfter: '1', text: '{"error":"busy","code":"QUEUE_FULL"}' };
 * ```
 */
export interface HttpAnswer {
  status: number;
  retryAfter: string | undefined;
  text: string;
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
  request(method: 'GET' | 'POST', url: URL, headers: Record<string, string>, body: string | undefined, signal: AbortSignal | undefined): Promise<HttpAnswer>;
  close(): Promise<void>;
}

/**
 * Options every HTTP transport understands: `createRemoteBackend`'s
 * `connections` and `keepAliveTimeout`, with their defaults filled in.
 *
 * @example
 * ```ts
 * const platform: RemotePlatform = {
 *   createHttpTransport: ({ connections, keepAliveTimeout }: HttpTransportOptions) => new MyPooledTransport(connections, keepAliveTimeout),
 *   createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
 * };
 * ```
 */
export interface HttpTransportOptions {
  /** Connections per endpoint origin. */
  connections: number;
  /** Milliseconds an idle connection is kept open for reuse. */
  keepAliveTimeout: number;
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
