import { abortErrorFrom, ComputeError, settleOnAbort } from '@hybridcompute/core';
import { errorFromAnswer } from './error-from-answer.js';
import { TransportFailure } from './http-transport.js';

/**
 * The part of the WHATWG WebSocket a channel uses: undici's in Node, the browser's own.
 *
 * @example
 * ```ts
 * const socket: WebSocketLike = new WebSocket('ws://127.0.0.1:8080/compute') as unknown as WebSocketLike;
 * socket.addEventListener('open', () => socket.send(JSON.stringify({ id: 1, task: 'double', input: 21 })));
 * ```
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: { data?: unknown }) => void): void;
}

/**
 * Makes a WebSocket to `url`; Node passes the token as a header, browsers in the URL.
 *
 * @example
 * ```ts
 * const createWebSocket: WebSocketFactory = (url, token) => {
 *   if (token !== undefined) url.searchParams.set('access_token', token);
 *   return new WebSocket(url) as unknown as WebSocketLike;
 * };
 * ```
 */
export type WebSocketFactory = (url: URL, token: string | undefined) => WebSocketLike;

interface PendingCall {
  taskName: string;
  // The socket the call went out on: only that socket's close fails it.
  socket: WebSocketLike;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const open = 1;
const maxBackoffMs = 5_000;

/**
 * Many calls multiplexed on one WebSocket to one endpoint, matched by `id`.
 * The socket opens on first use and again after it drops; after a failed
 * attempt to open, the next waits an exponentially growing backoff, and
 * calls in that window fail at once with `BACKEND_UNAVAILABLE` so that a
 * router can fall back. Calls pending on a socket that drops reject with
 * `BACKEND_UNAVAILABLE`.
 */
export class WebSocketChannel {
  readonly #url: URL;
  readonly #token: string | undefined;
  readonly #factory: WebSocketFactory;
  readonly #backend: string;
  readonly #pending = new Map<number, PendingCall>();
  #socket: WebSocketLike | undefined;
  #opening: Promise<WebSocketLike> | undefined;
  // Ends an attempt to open that is still under way: close() must not wait on a handshake that may never finish.
  #abandonOpening: (() => void) | undefined;
  #nextId = 1;
  #failures = 0;
  #retryAt = 0;
  #closed = false;

  constructor(url: URL, token: string | undefined, factory: WebSocketFactory, backend: string) {
    this.#url = url;
    this.#token = token;
    this.#factory = factory;
    this.#backend = backend;
  }

  /** Sends one call and settles with its answer. */
  call(taskName: string, input: unknown, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.#backend));
    const socket = this.#socket;
    if (socket !== undefined && socket.readyState === open) return this.#send(socket, taskName, input, timeoutMs, signal);
    // Opening may hang (a server that accepts and never answers): the call's signal still ends it.
    const connecting = signal === undefined ? this.#connect() : settleOnAbort(this.#connect(), signal, taskName, this.#backend);
    return connecting.then((connected) => this.#send(connected, taskName, input, timeoutMs, signal));
  }

  /** Closes the socket; calls still pending reject with `BACKEND_UNAVAILABLE`. */
  close(): void {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#failAll('The remote backend was closed');
    this.#abandonOpening?.();
    socket?.close(1000, 'client closed');
  }

  #send(socket: WebSocketLike, taskName: string, input: unknown, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.#backend));
    // close() may have come while the socket was opening: a frame sent now would never be answered.
    if (this.#closed || socket.readyState !== open) {
      return Promise.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: `The WebSocket to ${this.#url.href} is not open`, taskName, backend: this.#backend }));
    }
    const id = this.#nextId++;
    const frame = timeoutMs === undefined ? { id, task: taskName, input } : { id, task: taskName, input, timeout: timeoutMs };
    let json: string;
    try {
      json = JSON.stringify(frame);
    } catch (error) {
      return Promise.reject(new ComputeError({ code: 'INVALID_REQUEST', message: `The input of task '${taskName}' is not JSON`, taskName, backend: this.#backend, cause: error }));
    }
    return new Promise((resolve, reject) => {
      if (signal === undefined) {
        this.#pending.set(id, { taskName, socket, resolve, reject });
      } else {
        const onAbort = (): void => {
          if (!this.#pending.delete(id)) return;
          // Tell the server to abort the task's signal; nobody waits for its answer.
          if (socket.readyState === open) socket.send(JSON.stringify({ id, cancel: true }));
          reject(abortErrorFrom(signal.reason, taskName, this.#backend));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle =
          <T>(settler: (value: T) => void) =>
          (value: T): void => {
            signal.removeEventListener('abort', onAbort);
            settler(value);
          };
        this.#pending.set(id, { taskName, socket, resolve: settle(resolve), reject: settle(reject) });
      }
      socket.send(json);
    });
  }

  #connect(): Promise<WebSocketLike> {
    if (this.#closed) return Promise.reject(new TransportFailure('The remote backend was closed', false, undefined));
    if (this.#opening !== undefined) return this.#opening;
    if (Date.now() < this.#retryAt) {
      return Promise.reject(new TransportFailure(`${this.#url.href} could not be reached; retrying after a backoff`, false, undefined));
    }
    let socket: WebSocketLike;
    try {
      socket = this.#factory(this.#url, this.#token);
    } catch (error) {
      // Made before #opening is set, so a throwing factory leaves nothing behind for later calls to wait on.
      this.#countFailure();
      return Promise.reject(new TransportFailure(`Could not open a WebSocket to ${this.#url.href}`, false, error));
    }
    this.#opening = new Promise<WebSocketLike>((resolve, reject) => {
      let opened = false;
      this.#abandonOpening = () => {
        this.#abandonOpening = undefined;
        this.#opening = undefined;
        reject(new TransportFailure('The remote backend was closed', false, undefined));
        try {
          socket.close();
        } catch {
          // Already closing.
        }
      };
      socket.addEventListener('open', () => {
        opened = true;
        this.#abandonOpening = undefined;
        this.#failures = 0;
        this.#socket = socket;
        this.#opening = undefined;
        if (this.#closed) socket.close(1000, 'client closed');
        resolve(socket);
      });
      socket.addEventListener('message', (event) => this.#onMessage(event.data));
      socket.addEventListener('close', () => {
        if (!opened) {
          this.#abandonOpening = undefined;
          if (this.#closed) return;
          this.#countFailure();
          this.#opening = undefined;
          // Browsers (and undici) do not say why: a refused upgrade (wrong token: 401) looks the same as a server that is down.
          reject(new TransportFailure(`Could not open a WebSocket to ${this.#url.href} (server down, not a compute server, or the token was refused)`, false, undefined));
          return;
        }
        if (this.#socket === socket) this.#socket = undefined;
        // Calls already sent on a newer socket (opened while this one was closing) stay pending.
        this.#failAll(`The WebSocket to ${this.#url.href} closed before the call was answered`, socket);
      });
      socket.addEventListener('error', () => {
        // 'close' follows and says what it means.
      });
    });
    return this.#opening;
  }

  // Each failed attempt to open doubles the wait before the next.
  #countFailure(): void {
    this.#failures++;
    this.#retryAt = Date.now() + Math.min(50 * 2 ** this.#failures, maxBackoffMs);
  }

  #onMessage(data: unknown): void {
    let frame: Record<string, unknown>;
    try {
      frame = JSON.parse(String(data)) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const id = frame['id'];
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (pending === undefined) return;
    this.#pending.delete(id as number);
    if (frame['error'] !== undefined && frame['error'] !== null) pending.reject(errorFromAnswer(frame, undefined, pending.taskName, this.#backend));
    else pending.resolve(frame['result']);
  }

  #failAll(message: string, socket?: WebSocketLike): void {
    const pending: PendingCall[] = [];
    for (const [id, call] of this.#pending) {
      if (socket !== undefined && call.socket !== socket) continue;
      this.#pending.delete(id);
      pending.push(call);
    }
    for (const call of pending) {
      call.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message, taskName: call.taskName, backend: this.#backend }));
    }
  }
}
