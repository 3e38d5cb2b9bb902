import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { encodingsHeader, subprotocolOf, wireEncodings } from '@hybridcompute/wire';
import type { CallRunner } from './call-runner.js';
import type { ServerSettings } from './compute-server-options.js';
import type { ServerContext } from './server-context.js';
import { maxConcurrencyHeader } from './max-concurrency-header.js';
import { WebSocketConnection } from './websocket-connection.js';

/**
 * Takes WebSocket upgrades on the compute path, after the checks an HTTP
 * call gets (origin, draining, token: 401, connection limits: 503), and
 * keeps the heartbeat that drops dead peers. The 101 carries
 * `x-compute-max-concurrency`, so the client knows how many calls to keep
 * in flight on the socket.
 */
export class WebSocketHandler {
  readonly #settings: ServerSettings;
  readonly #runner: CallRunner;
  readonly #context: ServerContext;
  readonly #server: WebSocketServer;
  readonly #connections = new Set<WebSocketConnection>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(context: ServerContext) {
    const { settings, runner } = context;
    this.#context = context;
    this.#settings = settings;
    this.#runner = runner;
    this.#server = new WebSocketServer({ noServer: true, maxPayload: settings.maxBodyBytes, handleProtocols: chooseSubprotocol });
    const limit = `${maxConcurrencyHeader}: ${runner.maxConcurrency}`;
    const encodings = `${encodingsHeader}: ${wireEncodings.join(', ')}`;
    this.#server.on('headers', (headers: string[]) => headers.push(limit, encodings));
  }

  /** WebSockets open now. */
  get openSockets(): number {
    return this.#connections.size;
  }

  /** The `upgrade` listener of the node:http server. */
  readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // node:http hands the socket over without its error listener: a client that resets it must not crash the process.
    socket.on('error', () => socket.destroy());
    const reject = (status: number, text: string, extra = ''): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\n${maxConcurrencyHeader}: ${this.#runner.maxConcurrency}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      return reject(400, 'Bad Request');
    }
    if (url.pathname !== this.#settings.paths.compute) return reject(404, 'Not Found');
    if (!this.#context.cors.allowsUpgrade(request)) return reject(403, 'Forbidden');
    if (this.#runner.draining || this.#context.refusedConnection(socket as Socket) !== undefined) return reject(503, 'Service Unavailable', 'Retry-After: 1\r\n');
    // Browsers cannot set headers on a WebSocket: their token comes as ?access_token=.
    if (!this.#context.authorized(request, url.searchParams.get('access_token'))) return reject(401, 'Unauthorized', 'WWW-Authenticate: Bearer\r\n');
    this.#server.handleUpgrade(request, socket, head, (webSocket) => {
      const connection = new WebSocketConnection(webSocket, socket, this.#runner, this.#settings, () => this.#connections.delete(connection));
      this.#connections.add(connection);
      this.#startHeartbeat();
    });
  };

  /** Closes every WebSocket with 1001 (going away). */
  closeAll(): void {
    for (const socket of this.#server.clients) socket.close(1001, 'server shutting down');
  }

  /** Drops every WebSocket still open and stops the heartbeat. */
  terminateAll(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const socket of this.#server.clients) socket.terminate();
    this.#server.close();
  }

  #startHeartbeat(): void {
    if (this.#heartbeat !== undefined) return;
    // One timer for all sockets; it stops when the last socket is gone, so an idle server keeps none.
    this.#heartbeat = setInterval(() => {
      if (this.#connections.size === 0) {
        clearInterval(this.#heartbeat);
        this.#heartbeat = undefined;
        return;
      }
      for (const connection of this.#connections) connection.heartbeat();
    }, this.#settings.heartbeatInterval);
    this.#heartbeat.unref();
  }
}

/**
 * The encoding a socket speaks, by the subprotocols its client offers:
 * MessagePack in binary frames under `hybrid-compute.msgpack`, JSON under
 * `hybrid-compute.json`, and JSON with no subprotocol at all when the client
 * asked for none (a `@hybrid-compute/remote` client).
 */
function chooseSubprotocol(offered: Set<string>): string | false {
  if (offered.has(subprotocolOf.msgpack)) return subprotocolOf.msgpack;
  if (offered.has(subprotocolOf.json)) return subprotocolOf.json;
  return false;
}
