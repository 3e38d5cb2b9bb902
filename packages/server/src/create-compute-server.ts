import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CloseOnce } from '@hybridcompute/core';
import { CallRunner } from './call-runner.js';
import { readServerOptions, type ComputeServerOptions, type ServerSettings } from './compute-server-options.js';
import { ConnectionLimits } from './connection-limits.js';
import { CorsPolicy } from './cors-policy.js';
import { createTokenCheck } from './create-token-check.js';
import { HttpHandler } from './http-handler.js';
import { WebSocketHandler } from './websocket-handler.js';

export type { ComputeServerOptions } from './compute-server-options.js';

/**
 * Where a listening server can be reached.
 *
 * @example
 * ```ts
 * const { url, port }: ListeningAddress = await server.listen(0);
 * const remote = createRemoteBackend({ endpoint: url }); // http://127.0.0.1:<port>/compute
 * ```
 */
export interface ListeningAddress {
  /** The URL of `POST /compute`, e.g. `http://127.0.0.1:8080/compute`. */
  url: string;
  port: number;
}

/**
 * A compute server: `POST /compute`, `GET /tasks`, `GET /healthz`,
 * `GET /readyz` and a WebSocket on the same port. Create one with
 * {@link createComputeServer}.
 *
 * @example
 * ```ts
 * const server: ComputeServer = createComputeServer({ tasks: [double] });
 * const { url } = await server.listen(8080);
 * console.log(`serving at ${url}; ${server.activeCalls} calls running`);
 * await server.close();
 * ```
 */
export class ComputeServer {
  /** The underlying node:http server, for attaching to an existing app or reading its address. */
  readonly httpServer: Server;
  readonly #settings: ServerSettings;
  readonly #runner: CallRunner;
  readonly #webSockets: WebSocketHandler;
  readonly #limits: ConnectionLimits;
  // Connections past maxConnections, with the reason their first request or upgrade is refused.
  readonly #refused = new WeakMap<Socket, string>();
  readonly #closer = new CloseOnce(() => this.#shutDown());

  constructor(options: ComputeServerOptions) {
    const settings = readServerOptions(options);
    this.#settings = settings;
    this.#runner = new CallRunner(settings);
    const tokenMatches = settings.token === undefined ? undefined : createTokenCheck(settings.token);
    const authorized = (request: IncomingMessage, queryToken?: string | null): boolean => {
      if (tokenMatches === undefined) return true;
      const header = request.headers.authorization;
      // The scheme is case-insensitive (RFC 9110).
      const presented = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7) : queryToken;
      return typeof presented === 'string' && tokenMatches(presented);
    };
    const context = {
      settings,
      runner: this.#runner,
      cors: new CorsPolicy(settings.corsOrigins),
      authorized,
      refusedConnection: (socket: Socket): string | undefined => this.#refused.get(socket),
    };
    const http = new HttpHandler(context);
    this.#webSockets = new WebSocketHandler(context);
    this.#limits = new ConnectionLimits(settings.maxConnections, settings.maxConnectionsPerAddress);

    const requestTimeout = settings.requestTimeout;
    this.httpServer = createServer(
      {
        keepAliveTimeout: 65_000,
        requestTimeout,
        headersTimeout: Math.min(60_000, requestTimeout),
        // node:http checks these deadlines on this interval (30 s by default): a short deadline needs a short interval.
        connectionsCheckingInterval: Math.min(30_000, Math.max(25, Math.floor(requestTimeout / 4))),
      },
      http.onRequest,
    );
    this.httpServer.on('connection', this.#onConnection);
    this.httpServer.on('upgrade', this.#webSockets.onUpgrade);
  }

  /**
   * Whether the server is draining: `/readyz` answers 503 and new calls are refused.
   *
   * @example
   * ```ts
   * void server.close();
   * server.draining; // true
   * ```
   */
  get draining(): boolean {
    return this.#runner.draining;
  }

  /**
   * Calls running now.
   *
   * @example
   * ```ts
   * setInterval(() => metrics.gauge('compute.active_calls', server.activeCalls), 10_000).unref();
   * ```
   */
  get activeCalls(): number {
    return this.#runner.activeCalls;
  }

  /**
   * Connections open now, HTTP and WebSocket, counted against `maxConnections`.
   *
   * @example
   * ```ts
   * setInterval(() => metrics.gauge('compute.connections', server.openConnections), 10_000).unref();
   * ```
   */
  get openConnections(): number {
    return this.#limits.open;
  }

  /**
   * Starts listening. Rejects when the port is taken.
   *
   * @param port - default 0, any free port.
   * @param host - default `'127.0.0.1'`.
   *
   * @example
   * ```ts
   * const { url, port } = await server.listen(8080, '0.0.0.0');
   * ```
   */
  listen(port = 0, host = '127.0.0.1'): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.httpServer.once('error', onError);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', onError);
        const address = this.httpServer.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({ url: `http://${shownHost}:${address.port}${this.#settings.paths.compute}`, port: address.port });
      });
    });
  }

  /**
   * Shuts down gracefully: `/readyz` turns 503 and new calls are refused with
   * `BACKEND_UNAVAILABLE`; calls in flight finish, up to `drainTimeout`, after
   * which their tasks are aborted; WebSockets close with 1001; then the port
   * is released. Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => {
   *   server.close().then(() => process.exit(0));
   * });
   * ```
   */
  close(): Promise<void> {
    return this.#closer.close();
  }

  readonly #onConnection = (socket: Socket): void => {
    const address = socket.remoteAddress;
    const refusal = this.#limits.admit(address);
    if (refusal !== undefined) {
      this.#refused.set(socket, refusal);
      return;
    }
    socket.once('close', () => this.#limits.release(address));
  };

  async #shutDown(): Promise<void> {
    // Keep listening while draining, so load balancers polling /readyz see the 503 and new calls get one too.
    await this.#runner.drain(this.#settings.drainTimeout);
    this.#webSockets.closeAll();
    const stopped = new Promise<void>((resolve) => {
      if (!this.httpServer.listening) resolve();
      else this.httpServer.close(() => resolve());
    });
    // Give the aborted calls' answers and the close frames a turn to be written before the connections go.
    await new Promise((resolve) => setImmediate(resolve));
    this.httpServer.closeIdleConnections();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    this.httpServer.closeAllConnections();
    this.#webSockets.terminateAll();
    await stopped;
  }
}

/**
 * Creates a compute server. Give it `tasks` to run on its own thread, or any
 * `backend` (a worker pool, a router) to keep CPU-heavy work off its event loop.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for options that are missing or of the wrong type.
 *
 * @example
 * ```ts
 * import { createComputeServer } from '@hybridcompute/server';
 * import * as tasks from './tasks.js';
 *
 * const server = createComputeServer({ tasks, token: process.env.HYBRIDCOMPUTE_TOKEN, maxConcurrency: 64 });
 * const { url } = await server.listen(8080, '0.0.0.0');
 * process.on('SIGTERM', () => void server.close());
 * ```
 */
export function createComputeServer(options: ComputeServerOptions): ComputeServer {
  return new ComputeServer(options);
}
