import { invalidArgumentError, isRunTimeout, isTimerDelay, maxTimerDelay, type ComputeBackendLike, type TaskCollection } from '@hybridcompute/core';
import { runsOnBun } from './runs-on-bun.js';
import { readAccessLogger, type AccessLogger } from './access-log.js';
import { readMetricsOptions, type ComputeServerMetricsOption, type MetricsSettings } from './metrics-options.js';
import { readTlsOptions, type ComputeServerTlsOptions, type TlsServerSettings } from './tls-options.js';

/**
 * Options for {@link createComputeServer}: give `tasks` or `backend`. Every
 * limit has a default that holds against hostile clients; the README's
 * "Hostile and slow clients" section explains each bound.
 *
 * @example
 * ```ts
 * const options: ComputeServerOptions = {
 *   tasks: [double, resize],
 *   token: process.env.HYBRIDCOMPUTE_TOKEN,
 *   maxConcurrency: 64,
 *   taskTimeout: 30_000,
 *   corsOrigins: ['https://app.example.com'],
 *   maxConnectionsPerAddress: 32,
 * };
 * const server = createComputeServer(options);
 * ```
 */
export interface ComputeServerOptions {
  /** Task definitions to run on the server's own thread (array, record or module namespace). */
  tasks?: TaskCollection | undefined;
  /** Any backend to run calls on instead: a worker pool, a router. Its `close()` is not called by the server. */
  backend?: ComputeBackendLike | undefined;
  /**
   * The task names `GET /tasks` reports for a `backend` that has no
   * `taskNames` list of its own. Without either, `GET /tasks` answers
   * `{ tasks: [], listed: false }` and clients ask the server per call.
   */
  taskNames?: readonly string[] | undefined;
  /** The path of `POST /compute` and the WebSocket; `/tasks`, `/healthz`, `/readyz` sit beside it. Default `'/compute'`. */
  path?: string | undefined;
  /**
   * A bearer token every call must carry: `Authorization: Bearer <token>`,
   * or `?access_token=<token>` on the WebSocket URL (browsers cannot set
   * headers on a WebSocket). A wrong or missing one is answered 401, the
   * WebSocket upgrade included.
   */
  token?: string | undefined;
  /** The largest request body or WebSocket message in bytes. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /**
   * Calls running at once, HTTP and WebSocket together; more are answered
   * `QUEUE_FULL` (503 with `Retry-After`). Advertised in `GET /tasks` and in
   * the `x-compute-max-concurrency` header of every response, so that
   * WebSocket clients hold back the rest. Default 256.
   */
  maxConcurrency?: number | undefined;
  /** Milliseconds a call may run before it is answered 504 and its task aborted, from 1 to `maxTimerDelay`. Default: none. */
  taskTimeout?: number | undefined;
  /**
   * Milliseconds a client has to send a whole request, headers and body; a
   * slower one is answered 408 and disconnected, so slow bodies cannot hold
   * connections open. Default 30000 (node:http's own is five minutes).
   */
  requestTimeout?: number | undefined;
  /** Milliseconds `close()` waits for calls in flight before aborting them; 0 aborts at once. Default 10000. */
  drainTimeout?: number | undefined;
  /**
   * Answer bytes a connection may have waiting to be sent (the client is not
   * reading them) before the server stops reading its requests or frames.
   * Reading resumes when the client catches up. Default 8 MiB.
   */
  maxBufferedBytesPerConnection?: number | undefined;
  /**
   * Milliseconds a connection may stay paused by `maxBufferedBytesPerConnection`
   * with none of its answers leaving before it is closed: a client that stops
   * reading is dropped, not kept. Default 30000.
   */
  bufferedTimeout?: number | undefined;
  /**
   * Milliseconds a WebSocket message may take to arrive once its first bytes
   * have: a peer that starts a frame and trickles the rest is dropped.
   * Default 30000. Not on Bun (refused with `INVALID_REQUEST`): Bun's
   * WebSocket server reads the frames itself, so there the heartbeat drops
   * a peer stuck mid-frame (it cannot answer a ping).
   */
  frameTimeout?: number | undefined;
  /**
   * Milliseconds between WebSocket pings; a peer that has not answered the
   * previous ping by the next one is dropped. Default 30000.
   */
  heartbeatInterval?: number | undefined;
  /**
   * Milliseconds a WebSocket may stay open with no call running and no
   * message arriving before the server closes it (code 1000, reason `idle`);
   * clients reconnect when they next need it. Default 120000.
   */
  idleTimeout?: number | undefined;
  /**
   * Connections open at once, HTTP and WebSocket together. A connection past
   * the limit gets 503 (`BACKEND_UNAVAILABLE`, `Retry-After`) for its request
   * or upgrade, and is closed. Default 10000.
   */
  maxConnections?: number | undefined;
  /**
   * Connections open at once from one client address, refused like
   * `maxConnections`. Default: no limit per address, because behind a proxy
   * or load balancer every client has the proxy's address. Set it when
   * clients reach the server directly.
   */
  maxConnectionsPerAddress?: number | undefined;
  /**
   * Lets browser pages on other origins call the server: `'*'` or the allowed
   * origins. Preflights are answered and `Retry-After` and
   * `x-compute-max-concurrency` are exposed. Default: no CORS headers.
   */
  corsOrigins?: '*' | readonly string[] | undefined;
  /** Sends stack traces with errors. Never in production. */
  debug?: boolean | undefined;
  /** Serve `https` and `wss` on the port, with mutual TLS optionally: see {@link ComputeServerTlsOptions}. Default: plain HTTP. */
  tls?: ComputeServerTlsOptions | undefined;
  /** Prometheus metrics on `GET /metrics`, or on a port of their own: see {@link ComputeServerMetricsOption}. Default off. */
  metrics?: ComputeServerMetricsOption | undefined;
  /** Writes one access-log line per call through `logger.info(fields, 'call')` (pino-compatible); never inputs or outputs. Default off. */
  logger?: AccessLogger | undefined;
}

/** The server's options once checked, defaults filled in. */
export interface ServerSettings {
  tasks: TaskCollection | undefined;
  backend: ComputeBackendLike | undefined;
  taskNames: readonly string[] | undefined;
  paths: { compute: string; tasks: string; healthz: string; readyz: string; metrics: string };
  token: string | undefined;
  maxBodyBytes: number;
  maxConcurrency: number;
  taskTimeout: number | undefined;
  requestTimeout: number;
  drainTimeout: number;
  maxBufferedBytesPerConnection: number;
  bufferedTimeout: number;
  frameTimeout: number;
  heartbeatInterval: number;
  idleTimeout: number;
  maxConnections: number;
  maxConnectionsPerAddress: number;
  corsOrigins: '*' | readonly string[] | undefined;
  debug: boolean;
  tls: TlsServerSettings | undefined;
  metrics: MetricsSettings | undefined;
  logger: AccessLogger | undefined;
}

/** The defaults the README documents. */
export const serverDefaults = {
  maxBodyBytes: 1024 * 1024,
  maxConcurrency: 256,
  requestTimeout: 30_000,
  drainTimeout: 10_000,
  maxBufferedBytesPerConnection: 8 * 1024 * 1024,
  bufferedTimeout: 30_000,
  frameTimeout: 30_000,
  heartbeatInterval: 30_000,
  idleTimeout: 120_000,
  maxConnections: 10_000,
} as const;

/**
 * Checks `createComputeServer`'s options and fills in the defaults. Throws
 * an `INVALID_REQUEST` TypeError naming the first bad option.
 */
export function readServerOptions(options: ComputeServerOptions): ServerSettings {
  if (typeof options !== 'object' || options === null) throw invalid('expected options { tasks } or { backend }');
  const { tasks, backend } = options;
  if ((tasks === undefined) === (backend === undefined)) throw invalid('give exactly one of tasks and backend');
  if (backend !== undefined && (typeof backend?.canRun !== 'function' || typeof backend.runTask !== 'function')) {
    throw invalid('backend must have canRun() and runTask() methods');
  }
  const taskNames = options.taskNames;
  if (taskNames !== undefined && !(Array.isArray(taskNames) && taskNames.every((name) => typeof name === 'string'))) {
    throw invalid('taskNames must be an array of strings');
  }
  const path = options.path ?? '/compute';
  if (typeof path !== 'string' || !path.startsWith('/')) throw invalid(`path must start with '/', got ${String(path)}`);
  const base = path.slice(0, path.lastIndexOf('/'));
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token.length === 0)) throw invalid('token must be a non-empty string');
  const cors = options.corsOrigins;
  if (cors !== undefined && cors !== '*' && !(Array.isArray(cors) && cors.every((origin) => typeof origin === 'string'))) {
    throw invalid("corsOrigins must be '*' or an array of origins");
  }
  return {
    tasks,
    backend,
    taskNames: taskNames === undefined ? undefined : [...taskNames],
    paths: { compute: path, tasks: `${base}/tasks`, healthz: `${base}/healthz`, readyz: `${base}/readyz`, metrics: `${base}/metrics` },
    token: options.token,
    maxBodyBytes: count(options.maxBodyBytes, 'maxBodyBytes') ?? serverDefaults.maxBodyBytes,
    maxConcurrency: count(options.maxConcurrency, 'maxConcurrency') ?? serverDefaults.maxConcurrency,
    taskTimeout: delay(options.taskTimeout, 'taskTimeout'),
    requestTimeout: delay(options.requestTimeout, 'requestTimeout') ?? serverDefaults.requestTimeout,
    drainTimeout: drain(options.drainTimeout) ?? serverDefaults.drainTimeout,
    maxBufferedBytesPerConnection: count(options.maxBufferedBytesPerConnection, 'maxBufferedBytesPerConnection') ?? serverDefaults.maxBufferedBytesPerConnection,
    bufferedTimeout: delay(options.bufferedTimeout, 'bufferedTimeout') ?? serverDefaults.bufferedTimeout,
    frameTimeout: frameTimeoutOf(options.frameTimeout) ?? serverDefaults.frameTimeout,
    heartbeatInterval: delay(options.heartbeatInterval, 'heartbeatInterval') ?? serverDefaults.heartbeatInterval,
    idleTimeout: delay(options.idleTimeout, 'idleTimeout') ?? serverDefaults.idleTimeout,
    maxConnections: count(options.maxConnections, 'maxConnections') ?? serverDefaults.maxConnections,
    maxConnectionsPerAddress: count(options.maxConnectionsPerAddress, 'maxConnectionsPerAddress') ?? Number.POSITIVE_INFINITY,
    corsOrigins: cors,
    debug: options.debug === true,
    tls: readTlsOptions(options.tls),
    metrics: readMetricsOptions(options.metrics),
    logger: readAccessLogger(options.logger),
  };
}

function invalid(message: string): TypeError {
  return invalidArgumentError(`createComputeServer: ${message}`);
}

/** A positive whole number (a byte count, a limit), or undefined. */
function count(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw invalid(`${name} must be a positive whole number, got ${String(value)}`);
  return value;
}

/** A delay setTimeout honours: from 1 to `maxTimerDelay` ms; a larger one would fire at once. */
function delay(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!isTimerDelay(value)) throw invalid(`${name} must be a number of milliseconds from 1 to ${maxTimerDelay}, got ${String(value)}`);
  return value;
}

/** A frame timeout, where the runtime lets the server see a frame's bytes arrive. */
function frameTimeoutOf(value: unknown): number | undefined {
  if (value !== undefined && runsOnBun) {
    throw invalid("frameTimeout is not supported on Bun: its WebSocket server reads the frames itself; there heartbeatInterval's pings drop a peer stuck mid-frame");
  }
  return delay(value, 'frameTimeout');
}

function drain(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (!isRunTimeout(value)) throw invalid(`drainTimeout must be a number of milliseconds from 0 to ${maxTimerDelay}, got ${String(value)}`);
  return value;
}
