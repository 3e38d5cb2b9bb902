import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  ComputeError,
  idempotencyKeyHeader,
  invalidArgumentError,
  timeoutHeader,
  type ComputeBackendLike,
  type TaskCollection,
  type WireCallId,
} from '@hybridcompute/core';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { CallControl } from './call-control.js';
import { createTasksBackend, type TasksBackend } from './create-tasks-backend.js';
import { errorBodyOf, refusal } from './error-body-of.js';
import { parseCall, parseDeadline, type ParsedCall } from './parse-call.js';
import { readBody } from './read-body.js';
import { createTokenCheck } from './create-token-check.js';

/**
 * Options for {@link createComputeServer}: give `tasks` or `backend`.
 *
 * @example
 * ```ts
 * const options: ComputeServerOptions = {
 *   tasks: [double, resize],
 *   token: process.env.HYBRIDCOMPUTE_TOKEN,
 *   maxConcurrency: 64,
 *   taskTimeout: 30_000,
 *   corsOrigins: ['https://app.example.com'],
 * };
 * const server = createComputeServer(options);
 * ```
 */
export interface ComputeServerOptions {
  /** Task definitions to run on the server's own thread (array, record or module namespace). */
  tasks?: TaskCollection | undefined;
  /** Any backend to run calls on instead: a worker pool, a router. Its `close()` is not called by the server. */
  backend?: ComputeBackendLike | undefined;
  /** The task names `GET /tasks` reports for a `backend` that has no `taskNames` list of its own. */
  taskNames?: readonly string[] | undefined;
  /** The path of `POST /compute` and the WebSocket; `/tasks`, `/healthz`, `/readyz` sit beside it. Default `'/compute'`. */
  path?: string | undefined;
  /** A bearer token every call must carry (`Authorization: Bearer <token>`; `?access_token=` on the WebSocket). */
  token?: string | undefined;
  /** The largest request body or WebSocket frame in bytes. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Calls running at once, HTTP and WebSocket together; more are answered 503 with `Retry-After`. Default 256. */
  maxConcurrency?: number | undefined;
  /** Milliseconds a call may run before it is answered 504 and its task aborted. Default: none. */
  taskTimeout?: number | undefined;
  /**
   * Milliseconds a client has to send a whole request, headers and body; a
   * slower one is answered 408 and disconnected, so slow bodies cannot hold
   * connections open. Default 30000 (node:http's own is five minutes).
   */
  requestTimeout?: number | undefined;
  /** Milliseconds `close()` waits for calls in flight before aborting them. Default 10000. */
  drainTimeout?: number | undefined;
  /**
   * Lets browser pages on other origins call the server: `'*'` or the allowed
   * origins. Preflights are answered and `Retry-After` is exposed. Default: no CORS headers.
   */
  corsOrigins?: '*' | readonly string[] | undefined;
  /** Sends stack traces with errors. Never in production. */
  debug?: boolean | undefined;
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
  /** The URL of `POST /compute`, e.g. `http://127.0.0.1:8080/compute`. */
  url: string;
  port: number;
}

const retryAfterSeconds = '1';
const defaultMaxBodyBytes = 1024 * 1024;

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
  readonly #backend: ComputeBackendLike;
  // Set when serving `tasks`: they run with a signal made only if they read it.
  readonly #tasksBackend: TasksBackend | undefined;
  readonly #taskNames: readonly string[] | null;
  readonly #paths: { compute: string; tasks: string; healthz: string; readyz: string };
  // Undefined when the server takes calls without a token.
  readonly #tokenMatches: ((presented: string) => boolean) | undefined;
  readonly #maxBodyBytes: number;
  readonly #maxConcurrency: number;
  readonly #taskTimeout: number | undefined;
  readonly #drainTimeout: number;
  readonly #debug: boolean;
  readonly #corsOrigins: '*' | ReadonlySet<string> | undefined;
  readonly #webSockets: WebSocketServer;
  readonly #inFlight = new Set<CallControl>();
  #draining = false;
  #drained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ComputeServerOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgumentError('createComputeServer: expected options { tasks } or { backend }');
    const { tasks, backend } = options;
    if ((tasks === undefined) === (backend === undefined)) {
      throw invalidArgumentError('createComputeServer: give exactly one of tasks and backend');
    }
    if (backend !== undefined && (typeof backend?.canRun !== 'function' || typeof backend.runTask !== 'function')) {
      throw invalidArgumentError('createComputeServer: backend must have canRun() and runTask() methods');
    }
    const tasksBackend = tasks === undefined ? undefined : createTasksBackend(tasks);
    this.#backend = tasksBackend ?? (backend as ComputeBackendLike);
    this.#tasksBackend = tasksBackend;
    const listed = options.taskNames ?? tasksBackend?.taskNames ?? (backend as { taskNames?: unknown }).taskNames;
    this.#taskNames = Array.isArray(listed) ? [...(listed as string[])] : null;
    const path = options.path ?? '/compute';
    if (typeof path !== 'string' || !path.startsWith('/')) throw invalidArgumentError(`createComputeServer: path must start with '/', got ${String(path)}`);
    const base = path.slice(0, path.lastIndexOf('/'));
    this.#paths = { compute: path, tasks: `${base}/tasks`, healthz: `${base}/healthz`, readyz: `${base}/readyz` };
    if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length === 0)) {
      throw invalidArgumentError('createComputeServer: token must be a non-empty string');
    }
    this.#tokenMatches = options.token === undefined ? undefined : createTokenCheck(options.token);
    this.#maxBodyBytes = positive(options.maxBodyBytes, 'maxBodyBytes') ?? defaultMaxBodyBytes;
    this.#maxConcurrency = positive(options.maxConcurrency, 'maxConcurrency') ?? 256;
    this.#taskTimeout = positive(options.taskTimeout, 'taskTimeout');
    this.#drainTimeout = positive(options.drainTimeout, 'drainTimeout') ?? 10_000;
    this.#debug = options.debug === true;
    const cors = options.corsOrigins;
    if (cors !== undefined && cors !== '*' && !(Array.isArray(cors) && cors.every((origin) => typeof origin === 'string'))) {
      throw invalidArgumentError("createComputeServer: corsOrigins must be '*' or an array of origins");
    }
    this.#corsOrigins = cors === undefined || cors === '*' ? cors : new Set(cors);

    const requestTimeout = positive(options.requestTimeout, 'requestTimeout') ?? 30_000;
    this.httpServer = createServer(
      {
        keepAliveTimeout: 65_000,
        requestTimeout,
        headersTimeout: Math.min(60_000, requestTimeout),
        // node:http checks these deadlines on this interval (30 s by default): a short deadline needs a short interval.
        connectionsCheckingInterval: Math.min(30_000, Math.max(25, Math.floor(requestTimeout / 4))),
      },
      (request, response) => this.#onRequest(request, response),
    );
    this.#webSockets = new WebSocketServer({ noServer: true, maxPayload: this.#maxBodyBytes });
    this.httpServer.on('upgrade', (request, socket, head) => this.#onUpgrade(request, socket, head));
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
    return this.#draining;
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
    return this.#inFlight.size;
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
        resolve({ url: `http://${shownHost}:${address.port}${this.#paths.compute}`, port: address.port });
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
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Keep listening while draining, so load balancers polling /readyz see the 503 and new calls get one too.
    this.#draining = true;
    if (this.#inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#drainTimeout);
        this.#drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const shutdown = new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'The server shut down before the call finished', backend: 'server' });
    for (const control of this.#inFlight) control.stop(shutdown);
    for (const socket of this.#webSockets.clients) socket.close(1001, 'server shutting down');
    const stopped = new Promise<void>((resolve) => {
      if (!this.httpServer.listening) resolve();
      else this.httpServer.close(() => resolve());
    });
    // Give the aborted calls' answers and the close frames a turn to be written before the connections go.
    await new Promise((resolve) => setImmediate(resolve));
    this.httpServer.closeIdleConnections();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
    this.httpServer.closeAllConnections();
    for (const socket of this.#webSockets.clients) socket.terminate();
    this.#webSockets.close();
    await stopped;
  }

  #onRequest(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const paths = this.#paths;
    if (this.#corsOrigins !== undefined && this.#allowCors(request, response) && request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'POST, GET',
        'access-control-allow-headers': `content-type, authorization, ${timeoutHeader}, ${idempotencyKeyHeader}`,
        'access-control-max-age': '600',
      });
      response.end();
      return;
    }
    if (pathname === paths.compute) {
      if (request.method !== 'POST') return this.#methodNotAllowed(response, 'POST');
      if (!this.#authorized(request)) return this.#refuse(request, response, refusal('UNAUTHORIZED', 'Missing or wrong bearer token'));
      void this.#compute(request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (pathname === paths.tasks || pathname === paths.healthz || pathname === paths.readyz) return this.#methodNotAllowed(response, 'GET');
    }
    if (pathname === paths.healthz) return sendJson(response, 200, { status: 'ok' });
    if (pathname === paths.readyz) {
      return this.#draining ? sendJson(response, 503, { status: 'draining' }, { 'retry-after': retryAfterSeconds }) : sendJson(response, 200, { status: 'ready' });
    }
    if (pathname === paths.tasks) {
      if (!this.#authorized(request)) return this.#refuse(request, response, refusal('UNAUTHORIZED', 'Missing or wrong bearer token'));
      return sendJson(response, 200, { tasks: this.#taskNames });
    }
    sendJson(response, 404, { error: `No such endpoint: ${request.method ?? ''} ${pathname}`, code: 'INVALID_REQUEST' });
  }

  async #compute(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#draining) return this.#refuse(request, response, refusal('BACKEND_UNAVAILABLE', 'The server is shutting down'));
    if (!isJsonContentType(request.headers['content-type'])) return this.#unsupportedMediaType(request, response);
    const declared = Number(request.headers['content-length']);
    if (declared > this.#maxBodyBytes) return this.#tooLarge(request, response);
    let body: Buffer | null;
    try {
      body = await readBody(request, this.#maxBodyBytes);
    } catch {
      // The client went away mid-body; there is no one to answer.
      return;
    }
    if (body === null) return this.#tooLarge(request, response);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return this.#refuse(request, response, refusal('INVALID_REQUEST', 'The body is not valid JSON'));
    }
    const call = parseCall(parsed);
    if (ComputeError.isInstance(call)) return this.#refuse(request, response, call);

    const control = new CallControl();
    // The caller hung up (or aborted): stop the task it no longer waits for.
    const onClose = (): void => {
      if (!response.writableFinished) control.stop(new ComputeError({ code: 'TASK_ABORTED', message: `Task '${call.task}' was aborted by the caller`, taskName: call.task, backend: 'server' }));
    };
    response.on('close', onClose);
    const outcome = await this.#run(call, parseDeadline(request.headers[timeoutHeader]), control);
    response.off('close', onClose);
    if (response.destroyed) return;
    if (outcome.ok) {
      let json: string;
      try {
        json = JSON.stringify({ result: outcome.result });
      } catch (error) {
        return this.#refuse(request, response, new ComputeError({ code: 'TASK_FAILED', message: `Task '${call.task}' returned a value that is not JSON`, taskName: call.task, backend: 'server', cause: error }));
      }
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      response.end(json);
      return;
    }
    this.#refuse(request, response, outcome.error);
  }

  /**
   * Runs one call under the concurrency limit and the deadlines, on behalf of
   * HTTP or WebSocket alike. Never rejects.
   */
  async #run(call: ParsedCall, callerDeadline: number | undefined, control: CallControl): Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }> {
    if (this.#draining) return { ok: false, error: refusal('BACKEND_UNAVAILABLE', 'The server is shutting down', call.task) };
    if (this.#inFlight.size >= this.#maxConcurrency) {
      return { ok: false, error: refusal('QUEUE_FULL', `The server is running ${this.#maxConcurrency} calls, its limit; retry later`, call.task) };
    }
    if (!this.#canRun(call.task)) {
      const list = this.#taskNames === null ? '' : ` (tasks: ${this.#taskNames.join(', ') || 'none'})`;
      return { ok: false, error: refusal('TASK_NOT_FOUND', `Task '${call.task}' is not served here${list}`, call.task) };
    }
    const deadline = minDefined(this.#taskTimeout, callerDeadline);
    const timer =
      deadline === undefined
        ? undefined
        : setTimeout(() => control.stop(new ComputeError({ code: 'TASK_TIMEOUT', message: `Task '${call.task}' timed out after ${deadline} ms`, taskName: call.task, backend: 'server' })), deadline);
    this.#inFlight.add(control);
    try {
      const work = this.#tasksBackend === undefined ? invoke(this.#backend, call, control.signal) : this.#tasksBackend.runLazily(call.task, call.input, () => control.signal);
      // settle() answers at the deadline even when the work ignores its signal.
      return { ok: true, result: await control.settle(work) };
    } catch (error) {
      // The server's own reasons (deadline, shutdown, caller gone) say more than the task's echo of them.
      return { ok: false, error: control.reason ?? error };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.#inFlight.delete(control);
      if (this.#inFlight.size === 0) this.#drained?.();
    }
  }

  #canRun(taskName: string): boolean {
    try {
      return this.#backend.canRun(taskName) === true;
    } catch {
      // As the router does: a backend that cannot answer is not trusted with the call.
      return false;
    }
  }

  #authorized(request: IncomingMessage, queryToken?: string | null): boolean {
    if (this.#tokenMatches === undefined) return true;
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110).
    const presented = typeof header === 'string' && /^bearer /i.test(header) ? header.slice(7) : queryToken;
    return typeof presented === 'string' && this.#tokenMatches(presented);
  }

  /** Adds the CORS headers when the request's origin is allowed; says whether it was. */
  #allowCors(request: IncomingMessage, response: ServerResponse): boolean {
    const origin = request.headers.origin;
    if (typeof origin !== 'string') return false;
    if (this.#corsOrigins !== '*' && this.#corsOrigins?.has(origin) !== true) return false;
    response.setHeader('access-control-allow-origin', this.#corsOrigins === '*' ? '*' : origin);
    response.setHeader('access-control-expose-headers', 'retry-after');
    if (this.#corsOrigins !== '*') response.setHeader('vary', 'origin');
    return true;
  }

  #refuse(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    const { status, body } = errorBodyOf(error, this.#debug);
    const headers: Record<string, string> = status === 503 ? { 'retry-after': retryAfterSeconds } : {};
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    // The body may still be arriving; a refused call's connection is not worth keeping.
    if (!request.complete) headers['connection'] = 'close';
    sendJson(response, status, body, headers);
  }

  #tooLarge(request: IncomingMessage, response: ServerResponse): void {
    const { body } = errorBodyOf(refusal('INVALID_REQUEST', `The body is larger than ${this.#maxBodyBytes} bytes`), this.#debug);
    sendJson(response, 413, body, { connection: 'close' });
    // Stop reading: the rest of the body is dropped with the connection.
    response.on('finish', () => request.socket.destroySoon());
  }

  // A browser sends text/plain and form bodies cross-origin without a preflight; only JSON is a call.
  #unsupportedMediaType(request: IncomingMessage, response: ServerResponse): void {
    const { body } = errorBodyOf(refusal('INVALID_REQUEST', `The body must be application/json, not ${String(request.headers['content-type'])}`), this.#debug);
    sendJson(response, 415, body, request.complete ? {} : { connection: 'close' });
  }

  #methodNotAllowed(response: ServerResponse, allow: string): void {
    sendJson(response, 405, { error: `Use ${allow}`, code: 'INVALID_REQUEST' }, { allow });
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // node:http hands the socket over without its error listener: a client that resets it must not crash the process.
    socket.on('error', () => socket.destroy());
    const reject = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      return reject(400, 'Bad Request');
    }
    if (url.pathname !== this.#paths.compute) return reject(404, 'Not Found');
    if (!this.#originAllowed(request)) return reject(403, 'Forbidden');
    if (this.#draining) return reject(503, 'Service Unavailable');
    if (!this.#authorized(request, url.searchParams.get('access_token'))) return reject(401, 'Unauthorized');
    this.#webSockets.handleUpgrade(request, socket, head, (webSocket) => this.#onWebSocket(webSocket));
  }

  /**
   * WebSockets have no CORS: a page on any origin may open one, and would
   * read the answers. So a browser's upgrade (it always sends `Origin`) is
   * taken only from the server's own origin or one `corsOrigins` allows.
   */
  #originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined || this.#corsOrigins === '*') return true;
    if (this.#corsOrigins?.has(origin) === true) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  #onWebSocket(webSocket: WebSocket): void {
    const calls = new Map<WireCallId, CallControl>();
    webSocket.on('message', (data: RawData, isBinary: boolean) => {
      let frame: unknown;
      try {
        frame = JSON.parse(isBinary ? data.toString() : String(data));
      } catch {
        return this.#sendFrame(webSocket, null, refusal('INVALID_REQUEST', 'The frame is not valid JSON'));
      }
      const id = typeof frame === 'object' && frame !== null && Object.hasOwn(frame, 'id') ? (frame as { id?: unknown }).id : undefined;
      if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
        return this.#sendFrame(webSocket, null, refusal('INVALID_REQUEST', "The frame's 'id' must be a string or a number"));
      }
      if ((frame as { cancel?: unknown }).cancel === true) {
        calls.get(id)?.stop(new ComputeError({ code: 'TASK_ABORTED', message: 'The caller cancelled the call', backend: 'server' }));
        return;
      }
      const call = parseCall(frame);
      if (ComputeError.isInstance(call)) return this.#sendFrame(webSocket, id, call);
      if (calls.has(id)) return this.#sendFrame(webSocket, id, refusal('INVALID_REQUEST', `A call with id ${JSON.stringify(id)} is already running`));
      const control = new CallControl();
      calls.set(id, control);
      void this.#run(call, parseDeadline((frame as { timeout?: unknown }).timeout), control).then((outcome) => {
        calls.delete(id);
        // A cancelled call's caller has stopped waiting: no answer.
        if (webSocket.readyState !== webSocket.OPEN || control.reason?.code === 'TASK_ABORTED') return;
        if (!outcome.ok) return this.#sendFrame(webSocket, id, outcome.error);
        let json: string;
        try {
          json = JSON.stringify({ id, result: outcome.result });
        } catch (error) {
          return this.#sendFrame(webSocket, id, new ComputeError({ code: 'TASK_FAILED', message: `Task '${call.task}' returned a value that is not JSON`, taskName: call.task, backend: 'server', cause: error }));
        }
        webSocket.send(json);
      });
    });
    webSocket.on('close', () => {
      const gone = new ComputeError({ code: 'TASK_ABORTED', message: 'The caller closed the WebSocket', backend: 'server' });
      for (const control of calls.values()) control.stop(gone);
      calls.clear();
    });
    webSocket.on('error', () => {
      // ws closes the socket itself (oversized frame: 1009); 'close' cleans up.
    });
  }

  #sendFrame(webSocket: WebSocket, id: WireCallId | null, error: unknown): void {
    if (webSocket.readyState !== webSocket.OPEN) return;
    const { body } = errorBodyOf(error, this.#debug);
    webSocket.send(JSON.stringify({ id, ...body }));
  }
}

function invoke(backend: ComputeBackendLike, call: ParsedCall, signal: AbortSignal): Promise<unknown> {
  try {
    return Promise.resolve(backend.runTask(call.task, call.input, { signal }));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** No content type (older clients) or a JSON one: `application/json`, `application/problem+json; charset=utf-8`. */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return true;
  const type = (header.split(';', 1)[0] as string).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  response.end(json);
}

function positive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw invalidArgumentError(`createComputeServer: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
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
