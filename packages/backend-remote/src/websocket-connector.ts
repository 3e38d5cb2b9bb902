import { ComputeError } from '@hybridcompute/core';
import { maxConcurrencyHeader, maxConcurrencyOf, TransportFailure } from './http-transport.js';
import { ReconnectBackoff } from './reconnect-backoff.js';
import type { WebSocketCloseEvent, WebSocketFactory, WebSocketLike } from './websocket-like.js';

/** A socket that opened, with the admission limit its upgrade advertised. */
export interface OpenedSocket {
  socket: WebSocketLike;
  maxConcurrency: number | undefined;
}

/** What a connector is built from. */
export interface WebSocketConnectorOptions {
  url: URL;
  token: string | undefined;
  factory: WebSocketFactory;
  backend: string;
  maxResponseBytes: number;
  /** The subprotocols to offer on the next socket: they choose its encoding. */
  subprotocols(): readonly string[];
  /** Awaited before each socket is opened; its failure is the attempt's. */
  beforeOpen(): Promise<void>;
  /** Where the socket's frames and its close go once it is open. */
  onMessage(socket: WebSocketLike, data: unknown): void;
  onClose(socket: WebSocketLike, event: WebSocketCloseEvent): void;
  /**
   * Asks the server over HTTP why an upgrade failed, for platforms that do
   * not say (browsers): resolves with `UNAUTHORIZED` when the token is refused.
   */
  probe(): Promise<ComputeError | undefined>;
}

/**
 * Opens the WebSockets of one endpoint, one attempt at a time, with a
 * backoff after failures (see {@link ReconnectBackoff}). A refused upgrade
 * is told apart: 401/403 reject with `UNAUTHORIZED` (the router must not
 * fall back from a wrong token), anything else with an undelivered
 * {@link TransportFailure}.
 */
export class WebSocketConnector {
  readonly #options: WebSocketConnectorOptions;
  readonly #backoff = new ReconnectBackoff();
  // Ends an attempt still under way: close() must not wait on a handshake that may never finish.
  #abandon: (() => void) | undefined;
  #closed = false;

  constructor(options: WebSocketConnectorOptions) {
    this.#options = options;
  }

  /** Opens a socket; rejects at once inside a backoff. */
  async open(): Promise<OpenedSocket> {
    await this.#options.beforeOpen();
    return this.#openNow();
  }

  #openNow(): Promise<OpenedSocket> {
    const { url, token, factory, maxResponseBytes } = this.#options;
    if (this.#closed) return Promise.reject(new TransportFailure('The remote backend was closed', false, undefined));
    const refusal = this.#backoff.refusal();
    if (refusal !== undefined) {
      if (ComputeError.isInstance(refusal)) return Promise.reject(refusal);
      return Promise.reject(new TransportFailure(`${url.href} could not be reached; retrying after a backoff`, false, refusal));
    }
    let socket: WebSocketLike;
    try {
      socket = factory(new URL(url), token, { maxResponseBytes, protocols: this.#options.subprotocols() });
    } catch (error) {
      const failure = new TransportFailure(`Could not open a WebSocket to ${url.href}`, false, error);
      this.#backoff.failed(failure);
      return Promise.reject(failure);
    }
    return new Promise<OpenedSocket>((resolve, reject) => {
      let opened = false;
      this.#abandon = () => {
        this.#abandon = undefined;
        reject(new TransportFailure('The remote backend was closed', false, undefined));
        try {
          socket.close();
        } catch {
          // Already closing.
        }
      };
      socket.addEventListener('open', (event) => {
        opened = true;
        this.#abandon = undefined;
        this.#backoff.succeeded();
        resolve({ socket, maxConcurrency: maxConcurrencyOf(event?.headers?.[maxConcurrencyHeader]) });
      });
      socket.addEventListener('message', (event) => this.#options.onMessage(socket, event?.data));
      socket.addEventListener('close', (event) => {
        if (opened) {
          this.#options.onClose(socket, event ?? {});
          return;
        }
        if (this.#abandon === undefined) return;
        this.#abandon = undefined;
        void this.#whyRefused(event?.status).then((error) => {
          this.#backoff.failed(error);
          reject(error);
        });
      });
      socket.addEventListener('error', () => {
        // 'close' follows and says what it means.
      });
    });
  }

  /** Stops an attempt under way and refuses new ones. */
  close(): void {
    this.#closed = true;
    this.#abandon?.();
  }

  async #whyRefused(status: number | undefined): Promise<unknown> {
    const { url, backend } = this.#options;
    if (status === 401 || status === 403) {
      return new ComputeError({ code: 'UNAUTHORIZED', message: `The server at ${url.href} refused the WebSocket with HTTP ${status}: wrong or missing token`, backend });
    }
    if (status === undefined) {
      const refused = await this.#options.probe().catch(() => undefined);
      if (refused !== undefined) return refused;
    }
    const why = status === undefined || status === 0 ? '(server down, or not a compute server)' : `(the upgrade was answered with HTTP ${status})`;
    return new TransportFailure(`Could not open a WebSocket to ${url.href} ${why}`, false, undefined);
  }
}
