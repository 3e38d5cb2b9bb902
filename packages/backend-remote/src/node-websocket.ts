import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { TlsClientSettings } from './remote-tls-options.js';
import type { WebSocketCloseEvent, WebSocketLike, WebSocketOpenEvent } from './websocket-like.js';

/**
 * Opens a WebSocket with `ws` and presents it as a {@link WebSocketLike}
 * that also reports what a browser cannot: the upgrade's headers on `open`
 * (the server's admission limit) and the status of a refused upgrade on
 * `close` (401 for a wrong token). The token travels as a header, never in
 * the URL; `maxResponseBytes` becomes `ws`' `maxPayload`, so a frame past it
 * is refused from its header, before its bytes are buffered. An upgrade
 * not answered within 10 s fails, as a refused connection does.
 *
 * @example
 * ```ts
 * const socket = createNodeWebSocket(new URL('ws://127.0.0.1:8080/compute'), token, { maxResponseBytes: 64 * 1024 * 1024 });
 * ```
 */
export function createNodeWebSocket(
  url: URL,
  token: string | undefined,
  options?: { maxResponseBytes: number; protocols?: readonly string[] | undefined; tls?: TlsClientSettings | undefined },
): WebSocketLike {
  return new NodeWebSocket(url, token, options?.maxResponseBytes, options?.protocols, options?.tls);
}

const handshakeTimeoutMs = 10_000;

class NodeWebSocket implements WebSocketLike {
  readonly #socket: WebSocket;
  #headers: IncomingMessage['headers'] | undefined;
  #refusedStatus: number | undefined;
  #opened = false;
  #tooLarge = false;
  // The TCP socket under the WebSocket, once upgraded: corked while a tick's frames are sent.
  #tcp: Socket | undefined;
  #corked = false;

  constructor(url: URL, token: string | undefined, maxPayload: number | undefined, protocols: readonly string[] | undefined, tls: TlsClientSettings | undefined) {
    this.#socket = new WebSocket(url, protocols === undefined || protocols.length === 0 ? [] : [...protocols], {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      // Compression would cost both ends CPU on every frame; compute answers are small or already binary.
      perMessageDeflate: false,
      // A server that takes the connection and never answers the upgrade must not hold the calls waiting for it forever.
      handshakeTimeout: handshakeTimeoutMs,
      ...(maxPayload === undefined || maxPayload === Number.POSITIVE_INFINITY ? {} : { maxPayload }),
      // The CA and client certificate for wss:, passed on to node:tls.
      ...tls,
    });
    this.#socket.on('open', () => {
      this.#opened = true;
    });
    this.#socket.on('upgrade', (response) => {
      this.#headers = response.headers;
      // Where the runtime's ws hands over no Node socket (one that cannot cork), frames go one by one.
      if (typeof response.socket?.cork === 'function') this.#tcp = response.socket;
    });
    this.#socket.on('error', (error: { code?: unknown }) => {
      // ws answers an oversized frame with a closing handshake and reads (and drops) whatever the
      // peer still sends until a 30 s timer: end the connection now instead, so the peer cannot keep it busy.
      if (error.code !== 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') return;
      this.#tooLarge = true;
      this.#socket.terminate();
    });
    this.#socket.on('unexpected-response', (_request, response) => {
      this.#refusedStatus = response.statusCode;
      response.resume();
      this.#socket.terminate();
    });
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  get protocol(): string {
    return this.#socket.protocol;
  }

  send(data: string | Uint8Array): void {
    // The frames of one tick (a burst of calls) leave in one write, not one each.
    if (!this.#corked && this.#tcp !== undefined) {
      this.#corked = true;
      this.#tcp.cork();
      process.nextTick(this.#uncork);
    }
    this.#socket.send(data);
  }

  readonly #uncork = (): void => {
    this.#corked = false;
    this.#tcp?.uncork();
  };

  close(code?: number, reason?: string): void {
    if (this.#socket.readyState === WebSocket.CONNECTING) this.#socket.terminate();
    else this.#socket.close(code, reason);
  }

  addEventListener(type: 'open', listener: (event: WebSocketOpenEvent) => void): void;
  addEventListener(type: 'close', listener: (event: WebSocketCloseEvent) => void): void;
  addEventListener(type: 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: { data?: unknown }) => void): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: never) => void): void {
    const emit = listener as (event: unknown) => void;
    if (type === 'open') this.#socket.on('open', () => emit({ headers: this.#headers }));
    // status 0: no HTTP answer at all (refused connection), so there is nothing to ask the server about.
    else if (type === 'close') {
      this.#socket.on('close', (code: number) => emit({ code: this.#tooLarge ? 1009 : code, status: this.#refusedStatus ?? (this.#opened ? undefined : 0) }));
    }
    // Text frames as strings, as a browser hands them over; binary ones stay bytes for the channel to decode.
    else if (type === 'message') this.#socket.on('message', (data: Buffer, isBinary: boolean) => emit({ data: isBinary ? data : data.toString() }));
    else this.#socket.on('error', (error: unknown) => emit(error));
  }
}
