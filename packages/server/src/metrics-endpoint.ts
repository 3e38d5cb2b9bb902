import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { ServerMetrics } from './server-metrics.js';
import type { TlsServerSettings } from './tls-options.js';

/**
 * `GET /metrics`: on the compute server's port (ahead of the calls' handler,
 * which it leaves untouched) or on a port of its own. Either way behind the
 * server's token, and over TLS when the server has it.
 */
export class MetricsEndpoint {
  readonly #metrics: ServerMetrics;
  readonly #path: string;
  readonly #authorized: (request: IncomingMessage) => boolean;
  readonly #ownServer: Server | undefined;
  readonly #scheme: 'http' | 'https';

  constructor(
    metrics: ServerMetrics,
    options: { path: string; ownPort: boolean; tls: TlsServerSettings | undefined; authorized: (request: IncomingMessage) => boolean },
  ) {
    this.#metrics = metrics;
    this.#path = options.path;
    this.#authorized = options.authorized;
    this.#scheme = options.tls === undefined ? 'http' : 'https';
    if (options.ownPort) {
      const listener: RequestListener = (request, response) => {
        if (!this.#isMetricsPath(request)) return sendText(response, 404, `No such endpoint; metrics are at ${this.#path}\n`);
        this.#serve(request, response);
      };
      this.#ownServer = options.tls === undefined ? createServer(listener) : (createHttpsServer(options.tls, listener) as unknown as Server);
    }
  }

  /**
   * The compute server's request listener with `GET /metrics` in front: one
   * string comparison per request, and only when metrics are on.
   */
  inFront(next: RequestListener, refused: (request: IncomingMessage) => boolean): RequestListener {
    return (request, response) => {
      if (this.#isMetricsPath(request) && !refused(request)) this.#serve(request, response);
      else next(request, response);
    };
  }

  /** Starts the port of its own, if it has one; resolves with its URL. */
  listen(port: number, host: string): Promise<string | undefined> {
    const server = this.#ownServer;
    if (server === undefined) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen(port, host, () => {
        server.off('error', onError);
        const address = server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`${this.#scheme}://${shownHost}:${address.port}${this.#path}`);
      });
    });
  }

  /** Releases the port of its own. */
  async close(): Promise<void> {
    const server = this.#ownServer;
    if (server === undefined || !server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  #isMetricsPath(request: IncomingMessage): boolean {
    const url = request.url ?? '/';
    return url === this.#path || (url.startsWith(this.#path) && url.charCodeAt(this.#path.length) === 63 /* ? */);
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET');
      return sendText(response, 405, 'Use GET\n');
    }
    if (!this.#authorized(request)) {
      response.setHeader('www-authenticate', 'Bearer');
      return sendText(response, 401, 'Missing or wrong bearer token\n');
    }
    void this.#metrics.answer(request, response);
  }
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
