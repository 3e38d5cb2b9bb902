import type { TlsClientSettings } from './remote-tls-options.js';

/**
 * What a {@link WebSocketLike} says when it opens: the headers of the
 * upgrade's 101 answer where the platform can read them (Node can, browsers
 * cannot). The backend reads the server's admission limit from them.
 *
 * @example
 * ```ts
 * socket.addEventListener('open', (event: WebSocketOpenEvent) => {
 *   console.log(event.headers?.['x-compute-max-concurrency']); // '64'
 * });
 * ```
 */
export interface WebSocketOpenEvent {
  headers?: Readonly<Record<string, string | string[] | undefined>> | undefined;
}

/**
 * What a {@link WebSocketLike} says when it closes. `status` is the HTTP
 * status of a refused upgrade (401 for a wrong token) where the platform can
 * read it (0: no HTTP answer came at all); `code` is the WebSocket close code
 * (1009: a frame was too big). Without `status`, a socket that never opened
 * makes the backend ask `GET /tasks` whether the token is refused.
 *
 * @example
 * ```ts
 * socket.addEventListener('close', (event: WebSocketCloseEvent) => {
 *   if (event.status === 401) console.error('the server refused the token');
 * });
 * ```
 */
export interface WebSocketCloseEvent {
  code?: number | undefined;
  status?: number | undefined;
}

/**
 * The part of the WHATWG WebSocket a channel uses: `ws` in Node (through an
 * adapter that also reports the upgrade's headers and status), the browser's own.
 * Messages may be text or binary (`ArrayBuffer` or a typed array); both are decoded.
 *
 * @example
 * ```ts
 * const socket: WebSocketLike = new WebSocket('ws://127.0.0.1:8080/compute') as unknown as WebSocketLike;
 * socket.addEventListener('open', () => socket.send(JSON.stringify({ id: 1, task: 'double', input: 21 })));
 * ```
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** The subprotocol the server chose at the upgrade; `''` or absent for none. */
  readonly protocol?: string | undefined;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: (event: WebSocketOpenEvent) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEvent) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: { data?: unknown }) => void): void;
}

/**
 * Makes a WebSocket to `url`. Node passes the token as a header, browsers in
 * the URL (`?access_token=`). `maxResponseBytes` bounds one incoming frame
 * where the platform can enforce it (Node's `ws` does, as `maxPayload`).
 *
 * @example
 * ```ts
 * const createWebSocket: WebSocketFactory = (url, token) => {
 *   if (token !== undefined) url.searchParams.set('access_token', token);
 *   return new WebSocket(url) as unknown as WebSocketLike;
 * };
 * ```
 */
export type WebSocketFactory = (
  url: URL,
  token: string | undefined,
  options?: { maxResponseBytes: number; protocols?: readonly string[] | undefined; tls?: TlsClientSettings | undefined },
) => WebSocketLike;
