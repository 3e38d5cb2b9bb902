import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { CloseOnce } from '@hybridcompute/core';
import type { Registry } from 'prom-client';
import { CallRunner } from './call-runner.js';
import { readServerOptions, type ComputeServerOptions, type ServerSettings } from './compute-server-options.js';
import { ConnectionLimits } from './connection-limits.js';
import { CorsPolicy } from './cors-policy.js';
import { createTokenCheck } from './create-token-check.js';
import { HttpHandler } from './http-handler.js';
import { logCall } from './access-log.js';
import { MetricsEndpoint } from './metrics-endpoint.js';
import { ObservedCallRunner, type EndedCall } from './observed-call-runner.js';
import { createServerMetrics, type ServerMetrics } from './server-metrics.js';
import { WebSocketHandler } from './websocket-handler.js';

export type { ComputeServerOptions } from './compute-server-options.js';

/** Calls waiting in a backend that reports them (a worker pool's `load().queued`); 0 otherwise. */
function queuedIn(backend: unknown): number {
  const load = (backend as { load?: unknown }).load;
  if (typeof load !== 'function') return 0;
  try {
    const queued = (load.call(backend) as { queued?: unknown } | undefined)?.queued;
    return typeof queued === 'number' && Number.isFinite(queued) ? queued : 0;
  } catch {
    return 0;
  }
}

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
  /** The URL of `POST /compute`, e.g. `http://127.0.0.1:8080/compute` (`https:` with `tls`). */
  url: string;
  port: number;
  /** The URL of `GET /metrics`, when `metrics` is on. */
  metricsUrl?: string | undefined;
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
  /** The underlying node:http server (a node:https one with `tls`), for attaching to an existing app or reading its address. */
  readonly httpServer: Server;
  readonly #settings: ServerSettings;
  readonly #runner: CallRunner;
  readonly #webSockets: WebSocketHandler;
  readonly #limits: ConnectionLimits;
  // Connections past maxConnections, with the reason their first request or upgrade is refused.
  readonly #refused = new WeakMap<Socket, string>();
  readonly #closer = new CloseOnce(() => this.#shutDown());
  readonly #metrics: ServerMetrics | undefined;
  readonly #metricsEndpoint: MetricsEndpoint | undefined;

  constructor(options: ComputeServerOptions) {
    const settings = readServerOptions(options);
    this.#settings = settings;
    this.#runner = this.#createRunner(settings);
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

    let onRequest: RequestListener = http.onRequest;
    if (settings.metrics !== undefined) {
      const metrics = createServerMetrics(settings.metrics, {
        activeCalls: () => this.#runner.activeCalls,
        queuedCalls: () => queuedIn(this.#runner.backend),
        openConnections: () => this.#limits.open,
        openWebSockets: () => this.#webSockets.openSockets,
        knows: (taskName) => (this.#runner as ObservedCallRunner).knows(taskName),
      });
      this.#metrics = metrics;
      const ownPort = settings.metrics.port !== undefined;
      this.#metricsEndpoint = new MetricsEndpoint(metrics, { path: settings.paths.metrics, ownPort, tls: settings.tls, authorized });
      if (!ownPort) onRequest = this.#metricsEndpoint.inFront(http.onRequest, (request) => this.#refused.has(request.socket));
    }

    const requestTimeout = settings.requestTimeout;
    const serverOptions = {
      keepAliveTimeout: 65_000,
      requestTimeout,
      headersTimeout: Math.min(60_000, requestTimeout),
      // node:http checks these deadlines on this interval (30 s by default): a short deadline needs a short interval.
      connectionsCheckingInterval: Math.min(30_000, Math.max(25, Math.floor(requestTimeout / 4))),
    };
    // https.Server is an http.Server over TLS sockets: the handlers take its requests and upgrades as they are.
    this.httpServer =
      settings.tls === undefined ? createServer(serverOptions, onRequest) : (createHttpsServer({ ...serverOptions, ...settings.tls }, onRequest) as unknown as Server);
    // Over TLS, requests come on the TLS socket, not the TCP one 'connection' sees: count those.
    this.httpServer.on(settings.tls === undefined ? 'connection' : 'secureConnection', this.#onConnection);
    this.httpServer.on('upgrade', this.#webSockets.onUpgrade);
  }

  /** A runner that times and reports calls when metrics or the access log want them; the plain one otherwise. */
  #createRunner(settings: ServerSettings): CallRunner {
    const { logger, metrics } = settings;
    if (logger === undefined && metrics === undefined) return new CallRunner(settings);
    return new ObservedCallRunner(settings, (call: EndedCall) => {
      this.#metrics?.record(call);
      if (logger !== undefined) logCall(logger, call);
    });
  }

  /**
   * The prom-client registry `GET /metrics` reads, when `metrics` is on: to
   * add metrics of your own, or to read the server's in a test.
   *
   * @example
   * ```ts
   * const server = createComputeServer({ tasks, metrics: true });
   * registerComputeMetrics(server.metricsRegistry!, { pool });
   * ```
   */
  get metricsRegistry(): Registry | undefined {
    return this.#metrics?.registry;
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
   * Starts listening, once a backend that has `ready()` (a worker pool) is
   * ready, so that no call is answered before its workers have said which
   * tasks they run. Rejects when the port is taken or `ready()` rejects.
   *
   * @param port - default 0, any free port.
   * @param host - default `'127.0.0.1'`.
   *
   * @example
   * ```ts
   * const { url, port } = await server.listen(8080, '0.0.0.0');
   * ```
   */
  async listen(port = 0, host = '127.0.0.1'): Promise<ListeningAddress> {
    // Before ready(), a pool knows only the tasks it was told of: a call then would be TASK_NOT_FOUND.
    const ready = (this.#runner.backend as { ready?: unknown }).ready;
    if (typeof ready === 'function') await (ready.call(this.#runner.backend) as Promise<unknown>);
    const origin = await new Promise<string>((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.httpServer.once('error', onError);
      this.httpServer.listen(port, host, () => {
        this.httpServer.off('error', onError);
        const address = this.httpServer.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`${this.#settings.tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`);
      });
    });
    const { paths, metrics } = this.#settings;
    const listening: ListeningAddress = { url: `${origin}${paths.compute}`, port: (this.httpServer.address() as AddressInfo).port };
    if (metrics === undefined) return listening;
    const ownUrl = metrics.port === undefined ? undefined : await this.#listenForMetrics(metrics.port, metrics.host);
    return { ...listening, metricsUrl: ownUrl ?? `${origin}${paths.metrics}` };
  }

  async #listenForMetrics(port: number, host: string): Promise<string | undefined> {
    try {
      return await this.#metricsEndpoint?.listen(port, host);
    } catch (error) {
      // Listening is all or nothing: the calls' port is released when the metrics' cannot be had.
      await new Promise<void>((resolve) => this.httpServer.close(() => resolve()));
      throw error;
    }
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
    await this.#metricsEndpoint?.close();
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
