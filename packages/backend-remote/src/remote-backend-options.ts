import { invalidArgumentError, maxTimerDelay, type RunTaskOptions } from '@hybridcompute/core';
import type { HttpTransport, HttpTransportOptions } from './http-transport.js';
import type { WebSocketFactory } from './websocket-like.js';
import { readRemoteDispatcher, readRemoteTlsOptions, type RemoteDispatcher, type RemoteTlsOptions, type TlsClientSettings } from './remote-tls-options.js';

/**
 * How calls travel: one HTTP request each, or multiplexed on a WebSocket.
 *
 * @example
 * ```ts
 * const transport: RemoteTransport = process.env.COMPUTE_WS === '1' ? 'websocket' : 'http';
 * const remote = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute', transport });
 * ```
 */
export type RemoteTransport = 'http' | 'websocket';

/**
 * Options for {@link createRemoteBackend}.
 *
 * @example
 * ```ts
 * const options: RemoteBackendOptions = {
 *   endpoint: ['http://compute-1:8080/compute', 'http://compute-2:8080/compute'],
 *   token: process.env.HYBRIDCOMPUTE_TOKEN,
 *   timeout: 5_000,
 *   idempotentTasks: ['resize'],
 *   maxResponseBytes: 16 * 1024 * 1024,
 * };
 * const remote = createRemoteBackend(options);
 * ```
 */
export interface RemoteBackendOptions<Declared extends readonly string[] = readonly string[]> {
  /**
   * The URL calls are POSTed to, as in `@hybrid-compute/remote`:
   * `'http://host:8080/compute'`; or several, to spread calls across.
   * `GET /tasks` sits beside it; the WebSocket is the same URL with `ws:`/`wss:`.
   */
  endpoint: string | URL | readonly (string | URL)[];
  /** `'http'` (the default) or `'websocket'`. `'fetch'` is read as `'http'`, for code written for `@hybrid-compute/remote`. */
  transport?: RemoteTransport | 'fetch' | undefined;
  /**
   * The names of the tasks the servers run, so `canRun` is exact before (or
   * without) `connect()`. They also type the backend: the names, with `unknown`
   * inputs and outputs (type the tasks with `createRemoteBackend<typeof tasks>`).
   */
  tasks?: Declared | undefined;
  /** Bearer token sent with every call. */
  token?: string | undefined;
  /** Default deadline of every call in milliseconds; it travels with the request so the server stops too. */
  timeout?: number | undefined;
  /** Tasks safe to run twice: their calls are retried after a 503 or a lost connection. */
  idempotentTasks?: readonly string[] | undefined;
  /** Retries of a retryable call, within its deadline: an integer of at least 0. Default 2. */
  retries?: number | undefined;
  /** Milliseconds an endpoint that could not be reached stays out of rotation. Default 5000. */
  endpointCooldown?: number | undefined;
  /** HTTP connections per endpoint (Node). Default 64. */
  connections?: number | undefined;
  /** Milliseconds an idle HTTP connection is kept for reuse (Node). Default 10000. */
  keepAliveTimeout?: number | undefined;
  /**
   * The longest answer the client reads, in bytes: an HTTP body or one
   * WebSocket frame. Past it the call fails with `PROTOCOL_ERROR` (HTTP), or
   * the socket is closed and its calls fail with `BACKEND_UNAVAILABLE`
   * (WebSocket: the frame names no call before it is read). Default 64 MiB.
   */
  maxResponseBytes?: number | undefined;
  /**
   * How values travel. `'auto'` (the default): MessagePack with the
   * structured-clone extensions toward a server that advertises it (on
   * `GET /tasks` or in any answer's `x-compute-encodings`), so typed arrays,
   * `Map`s, `Date`s, BigInts and the rest arrive as they were; JSON toward
   * any other server, as `@hybrid-compute/remote` speaks. `'msgpack'` and
   * `'json'` force one. A value the chosen encoding would change is refused
   * with `INVALID_REQUEST` naming where it is, before the call leaves.
   */
  encoding?: RemoteEncoding | undefined;
  /** The name errors report as their `backend`. Default `'remote'`. */
  name?: string | undefined;
  /**
   * Node, Bun and Deno (browsers ignore it): the CA to trust for `https:`/`wss:` servers a public CA did not
   * sign, and a client certificate for servers that ask for one (mutual
   * TLS); HTTP and the WebSocket alike. See {@link RemoteTlsOptions}.
   */
  tls?: RemoteTlsOptions | undefined;
  /**
   * Node and Deno (Bun refuses it, browsers ignore it): an undici dispatcher (an `Agent`, a `ProxyAgent`) that carries the
   * HTTP requests instead of the backend's own pools; `connections` and
   * `keepAliveTimeout` then do not apply, and `close()` leaves it open.
   * The WebSocket, made with `ws`, takes `tls` instead.
   */
  dispatcher?: RemoteDispatcher | undefined;
}

/**
 * The `encoding` option of {@link RemoteBackendOptions}.
 *
 * @example
 * ```ts
 * const encoding: RemoteEncoding = legacyServer ? 'json' : 'auto';
 * const remote = createRemoteBackend({ endpoint, encoding });
 * ```
 */
export type RemoteEncoding = 'auto' | 'msgpack' | 'json';

/**
 * The third argument of {@link RemoteBackend.runTask}: the router's `{ signal, timeout }` and more.
 *
 * @example
 * ```ts
 * const options: RemoteRunOptions = { timeout: 2_000, idempotencyKey: `charge-${orderId}`, signal: request.signal };
 * await remote.runTask('charge', order, options);
 * ```
 */
export interface RemoteRunOptions extends RunTaskOptions {
  /** This call's deadline in milliseconds, instead of the backend's `timeout`. */
  timeout?: number | undefined;
  /** Marks the call safe to retry; sent as the `Idempotency-Key` header. */
  idempotencyKey?: string | undefined;
}

/**
 * What differs between Node and browsers: how HTTP goes out and how a
 * WebSocket is made. `createRemoteBackend` picks one; build your own only to
 * run the backend on another runtime.
 *
 * @example
 * ```ts
 * const platform: RemotePlatform = {
 *   createHttpTransport: () => myFetchTransport,
 *   createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
 * };
 * const remote = new RemoteBackend({ endpoint: 'https://compute.example.com/compute' }, platform);
 * ```
 */
export interface RemotePlatform {
  createHttpTransport(options: HttpTransportOptions): HttpTransport;
  createWebSocket: WebSocketFactory;
}

/** The options, checked, with their defaults filled in. */
export interface ResolvedRemoteOptions {
  transport: RemoteTransport;
  name: string;
  token: string | undefined;
  timeout: number | undefined;
  retries: number;
  idempotent: ReadonlySet<string>;
  tasks: readonly string[] | undefined;
  endpoints: URL[];
  endpointCooldown: number;
  encoding: RemoteEncoding;
  http: HttpTransportOptions;
  tls: TlsClientSettings | undefined;
}

/**
 * What the client assumes of a server that has not (yet) advertised its
 * `maxConcurrency`: the server's own default. It is the `capacity` that
 * `load()` reports for such an endpoint.
 *
 * @example
 * ```ts
 * const { capacity } = createRemoteBackend({ endpoint }).load(); // defaultMaxConcurrency before connect()
 * ```
 */
export const defaultMaxConcurrency = 256;

/**
 * The default of the `maxResponseBytes` option: 64 MiB.
 *
 * @example
 * ```ts
 * const remote = createRemoteBackend({ endpoint, maxResponseBytes: defaultMaxResponseBytes * 4 }); // allow 256 MiB answers
 * ```
 */
export const defaultMaxResponseBytes = 64 * 1024 * 1024;

/**
 * Checks `createRemoteBackend`'s options and fills in the defaults.
 *
 * @throws TypeError (code `INVALID_REQUEST`) naming the option that is wrong.
 */
export function readRemoteBackendOptions(options: RemoteBackendOptions): ResolvedRemoteOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError('createRemoteBackend: expected options { endpoint }');
  const transport = options.transport ?? 'http';
  if (transport !== 'http' && transport !== 'websocket' && transport !== 'fetch') {
    throw invalidArgumentError(`createRemoteBackend: transport must be 'http' or 'websocket', got ${String(transport)}`);
  }
  const timeout = optionalPositive(options.timeout, 'timeout');
  if (timeout !== undefined && timeout > maxTimerDelay) throw invalidArgumentError(`createRemoteBackend: timeout must be at most ${maxTimerDelay} ms`);
  const retries = options.retries;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
    throw invalidArgumentError(`createRemoteBackend: retries must be an integer of at least 0, got ${String(retries)}`);
  }
  const maxResponseBytes = optionalPositive(options.maxResponseBytes, 'maxResponseBytes');
  if (maxResponseBytes !== undefined && !Number.isSafeInteger(maxResponseBytes)) {
    throw invalidArgumentError(`createRemoteBackend: maxResponseBytes must be a whole number of bytes, got ${String(maxResponseBytes)}`);
  }
  const encoding = options.encoding ?? 'auto';
  if (encoding !== 'auto' && encoding !== 'msgpack' && encoding !== 'json') {
    throw invalidArgumentError(`createRemoteBackend: encoding must be 'auto', 'msgpack' or 'json', got ${String(encoding)}`);
  }
  const tls = readRemoteTlsOptions(options.tls);
  const list = Array.isArray(options.endpoint) ? (options.endpoint as (string | URL)[]) : [options.endpoint as string | URL];
  if (list.length === 0) throw invalidArgumentError('createRemoteBackend: endpoint must name at least one URL');
  return {
    transport: transport === 'websocket' ? 'websocket' : 'http',
    name: optionalString(options.name, 'name') ?? 'remote',
    token: optionalString(options.token, 'token'),
    timeout,
    retries: retries ?? 2,
    idempotent: new Set(stringList(options.idempotentTasks, 'idempotentTasks') ?? []),
    tasks: stringList(options.tasks, 'tasks'),
    endpoints: list.map(parseEndpoint),
    endpointCooldown: optionalPositive(options.endpointCooldown, 'endpointCooldown') ?? 5_000,
    encoding,
    http: {
      connections: optionalPositive(options.connections, 'connections') ?? 64,
      keepAliveTimeout: optionalPositive(options.keepAliveTimeout, 'keepAliveTimeout') ?? 10_000,
      maxResponseBytes: maxResponseBytes ?? defaultMaxResponseBytes,
      tls,
      dispatcher: readRemoteDispatcher(options.dispatcher),
    },
    tls,
  };
}

function parseEndpoint(endpoint: unknown): URL {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch {
    throw invalidArgumentError(`createRemoteBackend: endpoint ${String(endpoint)} is not an absolute URL`);
  }
  if (!/^(http|https|ws|wss):$/.test(url.protocol)) throw invalidArgumentError(`createRemoteBackend: endpoint ${url.href} must be http(s): or ws(s):`);
  return url;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalidArgumentError(`createRemoteBackend: ${name} must be a non-empty string`);
  return value;
}

function optionalPositive(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgumentError(`createRemoteBackend: ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalidArgumentError(`createRemoteBackend: ${name} must be an array of task names`);
  return value as string[];
}
