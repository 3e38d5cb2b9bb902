import {
  abortErrorFrom,
  ComputeError,
  idempotencyKeyHeader,
  invalidArgumentError,
  isTimerDelay,
  maxTimerDelay,
  timeoutHeader,
  type ComputeBackendInterface,
  type RunTaskOptions,
} from '@hybridcompute/core';
import { EndpointRotation } from './endpoint-rotation.js';
import { errorFromAnswer } from './error-from-answer.js';
import { TransportFailure, type HttpTransport, type HttpTransportOptions } from './http-transport.js';
import { WebSocketChannel, type WebSocketFactory } from './websocket-channel.js';

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
 * };
 * const remote = createRemoteBackend(options);
 * ```
 *
 * @typeParam Declared - the type of `tasks`, whose names type the backend for the router.
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
  /** The name errors report as their `backend`. Default `'remote'`. */
  name?: string | undefined;
}

/**
 * The third argument of {@link RemoteBackend.runTask}: the router's `{ signal }` and more.
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

interface Endpoint {
  url: URL;
  tasksUrl: URL;
  channel: WebSocketChannel | undefined;
}

/**
 * A backend that runs tasks on compute servers. Create one with
 * `createRemoteBackend`; it is a `ComputeBackendInterface`, so a router takes it as `remote`.
 *
 * @example
 * ```ts
 * const remote: RemoteBackend = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute' });
 * await remote.connect();
 * const doubled = await remote.runTask<number, number>('double', 21); // 42
 * await remote.close();
 * ```
 */
export class RemoteBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name: string;
  /** The transport calls use. */
  readonly transport: RemoteTransport;
  readonly #endpoints: readonly Endpoint[];
  readonly #rotation: EndpointRotation<Endpoint>;
  readonly #http: HttpTransport;
  readonly #token: string | undefined;
  readonly #timeout: number | undefined;
  readonly #idempotent: ReadonlySet<string>;
  readonly #retries: number;
  #tasks: ReadonlySet<string> | undefined;
  #closed = false;
  // Aborted by close(): wakes calls waiting out a retry backoff so they settle at once.
  readonly #closing = new AbortController();

  constructor(options: RemoteBackendOptions, platform: RemotePlatform) {
    if (typeof options !== 'object' || options === null) throw invalidArgumentError('createRemoteBackend: expected options { endpoint }');
    const transport = options.transport ?? 'http';
    if (transport !== 'http' && transport !== 'websocket' && transport !== 'fetch') {
      throw invalidArgumentError(`createRemoteBackend: transport must be 'http' or 'websocket', got ${String(transport)}`);
    }
    this.transport = transport === 'websocket' ? 'websocket' : 'http';
    this.name = options.name ?? 'remote';
    this.#token = optionalString(options.token, 'token');
    this.#timeout = optionalPositive(options.timeout, 'timeout');
    if (this.#timeout !== undefined && this.#timeout > maxTimerDelay) throw invalidArgumentError(`createRemoteBackend: timeout must be at most ${maxTimerDelay} ms`);
    const retries = options.retries;
    if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0)) {
      throw invalidArgumentError(`createRemoteBackend: retries must be an integer of at least 0, got ${String(retries)}`);
    }
    this.#retries = retries ?? 2;
    this.#idempotent = new Set(stringList(options.idempotentTasks, 'idempotentTasks') ?? []);
    const tasks = stringList(options.tasks, 'tasks');
    this.#tasks = tasks === undefined ? undefined : new Set(tasks);
    const list = Array.isArray(options.endpoint) ? (options.endpoint as (string | URL)[]) : [options.endpoint as string | URL];
    if (list.length === 0) throw invalidArgumentError('createRemoteBackend: endpoint must name at least one URL');
    this.#endpoints = list.map((endpoint) => {
      const url = parseEndpoint(endpoint);
      const tasksUrl = new URL(url.href.replace(/^ws/, 'http'));
      tasksUrl.pathname = `${url.pathname.slice(0, url.pathname.lastIndexOf('/'))}/tasks`;
      tasksUrl.search = '';
      const httpUrl = new URL(url.href.replace(/^ws/, 'http'));
      const channel =
        this.transport === 'websocket' ? new WebSocketChannel(new URL(httpUrl.href.replace(/^http/, 'ws')), this.#token, platform.createWebSocket, this.name) : undefined;
      return { url: httpUrl, tasksUrl, channel };
    });
    this.#rotation = new EndpointRotation(this.#endpoints, optionalPositive(options.endpointCooldown, 'endpointCooldown') ?? 5_000);
    this.#http = platform.createHttpTransport({
      connections: optionalPositive(options.connections, 'connections') ?? 64,
      keepAliveTimeout: optionalPositive(options.keepAliveTimeout, 'keepAliveTimeout') ?? 10_000,
    });
  }

  /**
   * The tasks the servers reported (after `connect()`) or `tasks` named; `undefined` when unknown.
   *
   * @example
   * ```ts
   * await remote.connect();
   * console.log(remote.taskNames); // ['double', 'resize']
   * ```
   */
  get taskNames(): string[] | undefined {
    return this.#tasks === undefined ? undefined : [...this.#tasks];
  }

  /**
   * Reads `GET /tasks` from the first endpoint that answers, so `canRun`
   * knows the server's tasks (a server without that endpoint leaves it as it was).
   * Each endpoint is given the backend's `timeout` (10 s without one) before
   * the next is asked; `options.signal` bounds the whole. Rejects with
   * `UNAUTHORIZED` for a wrong token, `TASK_TIMEOUT`/`TASK_ABORTED` when
   * `options.signal` ends it, and `BACKEND_UNAVAILABLE` when no endpoint answers.
   *
   * @example
   * ```ts
   * await remote.connect({ signal: AbortSignal.timeout(2_000) });
   * remote.canRun('double'); // true only if the server serves it
   * ```
   */
  async connect(options: { signal?: AbortSignal | undefined } = {}): Promise<void> {
    const callerSignal = options.signal;
    const attemptMs = this.#timeout ?? defaultConnectAttemptMs;
    let lastError: unknown;
    for (const endpoint of this.#endpoints) {
      if (callerSignal?.aborted === true) throw abortErrorFrom(callerSignal.reason, undefined, this.name);
      // Each endpoint its own deadline: one that accepts and never answers must not use up the time of the next.
      const attemptTimeout = AbortSignal.timeout(attemptMs);
      const signal = callerSignal === undefined ? attemptTimeout : AbortSignal.any([callerSignal, attemptTimeout]);
      try {
        const answer = await this.#http.request('GET', endpoint.tasksUrl, this.#authHeaders(), undefined, signal);
        // A server of the older protocol has no task list: canRun stays as it was.
        if (answer.status === 404 || answer.status === 405) return;
        const body = parseJson(answer.text);
        if (answer.status !== 200) throw errorFromAnswer(body, answer.status, '', this.name);
        const tasks = (body as { tasks?: unknown } | undefined)?.tasks;
        if (tasks !== null && !(Array.isArray(tasks) && tasks.every((name) => typeof name === 'string'))) {
          throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `GET ${endpoint.tasksUrl.href} did not answer { tasks: string[] }`, backend: this.name });
        }
        this.#tasks = tasks === null ? undefined : new Set(tasks as string[]);
        return;
      } catch (error) {
        if (callerSignal !== undefined && isAborted(callerSignal)) throw abortErrorFrom(callerSignal.reason, undefined, this.name);
        if (ComputeError.isInstance(error) && error.code !== 'BACKEND_UNAVAILABLE') throw error;
        lastError = attemptTimeout.aborted ? new Error(`GET ${endpoint.tasksUrl.href} did not answer within ${attemptMs} ms`, { cause: error }) : error;
      }
    }
    throw this.#unavailable(undefined, lastError);
  }

  /**
   * Whether the servers run the task: exact after `connect()` or with `tasks`, otherwise `true` (the server decides).
   *
   * @example
   * ```ts
   * const remote = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute', tasks: ['double'] });
   * remote.canRun('double'); // true
   * remote.canRun('resize'); // false
   * ```
   */
  canRun(taskName: string): boolean {
    if (this.#closed) return false;
    return this.#tasks === undefined || this.#tasks.has(taskName);
  }

  /**
   * Runs the task on a server. Rejects with the server's `ComputeError`
   * (`TASK_FAILED` with the task's error as `cause`, `TASK_NOT_FOUND`, ...),
   * `BACKEND_UNAVAILABLE` when no server could take the call (the router
   * falls back), `TASK_TIMEOUT` at the deadline and `TASK_ABORTED` on abort;
   * in both the server is told to stop.
   *
   * @example
   * ```ts
   * try {
   *   const thumbnail = await remote.runTask<Uint8Array, string>('thumbnail', pixels, { timeout: 3_000 });
   * } catch (error) {
   *   if (ComputeError.isInstance(error) && error.code === 'BACKEND_UNAVAILABLE') useLocalFallback();
   *   else throw error;
   * }
   * ```
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: RemoteRunOptions): Promise<Output> {
    if (typeof taskName !== 'string') return Promise.reject(invalidArgumentError(`runTask: the task name must be a string, got ${typeof taskName}`));
    if (this.#closed) {
      return Promise.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'The remote backend is closed', taskName, backend: this.name }));
    }
    const ownTimeout = options?.timeout;
    if (ownTimeout !== undefined && !isTimerDelay(ownTimeout)) {
      return Promise.reject(invalidArgumentError(`runTask: timeout must be a positive number of milliseconds up to ${maxTimerDelay}, got ${String(ownTimeout)}`));
    }
    const timeout = ownTimeout ?? this.#timeout;
    const signal = options?.signal;
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.name));
    if (timeout === undefined && signal === undefined) return this.#attempts(taskName, input, undefined, undefined, options?.idempotencyKey) as Promise<Output>;

    const controller = new AbortController();
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => controller.abort(new ComputeError({ code: 'TASK_TIMEOUT', message: `Task '${taskName}' timed out after ${timeout} ms`, taskName, backend: this.name })), timeout);
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    return this.#attempts(taskName, input, controller.signal, deadline, options?.idempotencyKey).then(
      (value) => {
        cleanUp();
        return value as Output;
      },
      (error: unknown) => {
        cleanUp();
        throw error;
      },
    );
  }

  /**
   * Closes connections and sockets; calls in flight, waiting out a retry or
   * for a WebSocket to open reject with `BACKEND_UNAVAILABLE`, and none is sent again.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void remote.close());
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#closing.abort();
    for (const endpoint of this.#endpoints) endpoint.channel?.close();
    await this.#http.close();
  }

  #attempts(taskName: string, input: unknown, signal: AbortSignal | undefined, deadline: number | undefined, idempotencyKey: string | undefined): Promise<unknown> {
    // The first attempt is the hot path: no retry state is built unless it fails.
    const { endpoint, index } = this.#rotation.pick();
    return this.#call(endpoint, taskName, input, signal, deadline, idempotencyKey).then(
      (result) => {
        this.#rotation.markUp(index);
        return result;
      },
      (error: unknown) => this.#retry(error, index, taskName, input, signal, deadline, idempotencyKey),
    );
  }

  async #retry(
    firstError: unknown,
    firstIndex: number,
    taskName: string,
    input: unknown,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    idempotencyKey: string | undefined,
  ): Promise<unknown> {
    const retryable = idempotencyKey !== undefined || this.#idempotent.has(taskName);
    const tried = new Set<number>([firstIndex]);
    let retriesLeft = this.#retries;
    let error = firstError;
    let index = firstIndex;
    for (;;) {
      if (signal?.aborted === true) throw abortErrorFrom(signal.reason, taskName, this.name);
      if (this.#closed) throw this.#closedError(taskName, error);
      if (!(error instanceof TransportFailure) && !(ComputeError.isInstance(error) && (error.code === 'QUEUE_FULL' || error.code === 'BACKEND_UNAVAILABLE'))) throw error;
      const unreached = error instanceof TransportFailure && !error.delivered;
      if (unreached) this.#rotation.markDown(index);
      // A request that never arrived can go to another endpoint at once: it cannot run twice.
      if (!(unreached && this.#rotation.hasOtherUp(tried))) {
        if (!retryable || retriesLeft <= 0) throw this.#unavailable(taskName, error);
        retriesLeft--;
        const waitMs = retryDelay(error, this.#retries - retriesLeft);
        if (deadline !== undefined && Date.now() + waitMs >= deadline) throw this.#unavailable(taskName, error);
        await sleep(waitMs, signal, this.#closing.signal);
        // Re-read: the sleep may have ended with an abort or close().
        if (signal !== undefined && isAborted(signal)) throw abortErrorFrom(signal.reason, taskName, this.name);
        if (this.#closed) throw this.#closedError(taskName, error);
        tried.clear();
      }
      const next = this.#rotation.pick(tried);
      index = next.index;
      tried.add(index);
      try {
        const result = await this.#call(next.endpoint, taskName, input, signal, deadline, idempotencyKey);
        this.#rotation.markUp(index);
        return result;
      } catch (caught) {
        error = caught;
      }
    }
  }

  async #call(endpoint: Endpoint, taskName: string, input: unknown, signal: AbortSignal | undefined, deadline: number | undefined, idempotencyKey: string | undefined): Promise<unknown> {
    const remaining = deadline === undefined ? undefined : Math.max(1, deadline - Date.now());
    if (endpoint.channel !== undefined) return endpoint.channel.call(taskName, input, remaining, signal);
    let body: string;
    try {
      body = JSON.stringify(input === undefined ? { task: taskName } : { task: taskName, input });
    } catch (error) {
      throw new ComputeError({ code: 'INVALID_REQUEST', message: `The input of task '${taskName}' is not JSON`, taskName, backend: this.name, cause: error });
    }
    const headers = this.#authHeaders();
    headers['content-type'] = 'application/json';
    if (remaining !== undefined) headers[timeoutHeader] = String(remaining);
    if (idempotencyKey !== undefined) headers[idempotencyKeyHeader] = idempotencyKey;
    const answer = await this.#http.request('POST', endpoint.url, headers, body, signal);
    const parsed = parseJson(answer.text);
    if (answer.status === 200 && typeof parsed === 'object' && parsed !== null) {
      if (Object.hasOwn(parsed, 'result')) return (parsed as { result: unknown }).result;
      // Older servers may answer { error } with a 200.
      if (typeof (parsed as { error?: unknown }).error === 'string') throw errorFromAnswer(parsed, undefined, taskName, this.name);
      if (Object.keys(parsed).length === 0) return undefined;
    }
    if (answer.status === 200) {
      throw new ComputeError({ code: 'PROTOCOL_ERROR', message: `${endpoint.url.href} answered 200 without { result }`, taskName, backend: this.name });
    }
    const error = errorFromAnswer(parsed, answer.status, taskName, this.name);
    if (answer.retryAfter !== undefined) retryAfterOf.set(error, answer.retryAfter);
    throw error;
  }

  #authHeaders(): Record<string, string> {
    return this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` };
  }

  #closedError(taskName: string, cause: unknown): ComputeError {
    return new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: `The remote backend was closed before task '${taskName}' finished`, taskName, backend: this.name, cause });
  }

  #unavailable(taskName: string | undefined, error: unknown): ComputeError {
    if (ComputeError.isInstance(error)) return error;
    return new ComputeError({
      code: 'BACKEND_UNAVAILABLE',
      message: `No compute server could take ${taskName === undefined ? 'the request' : `task '${taskName}'`}: ${error instanceof Error ? error.message : String(error)}`,
      taskName,
      backend: this.name,
      cause: error,
    });
  }
}

const retryAfterOf = new WeakMap<object, string>();
// How long connect() waits for one endpoint when the backend has no timeout.
const defaultConnectAttemptMs = 10_000;

// Honour Retry-After, in seconds or as an HTTP date (capped: a deadline decides how long is worth waiting), else back off exponentially.
function retryDelay(error: unknown, attempt: number): number {
  const header = typeof error === 'object' && error !== null ? retryAfterOf.get(error) : undefined;
  if (header !== undefined) {
    const trimmed = header.trim();
    const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - Date.now();
    if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), 5_000);
  }
  return Math.min(50 * 2 ** attempt, 2_000);
}

function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

// Waits `ms`, or less when `signal` or `closing` aborts first.
function sleep(ms: number, signal: AbortSignal | undefined, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      closing.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    closing.addEventListener('abort', done, { once: true });
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
