import {
  abortErrorFrom,
  backendClosedError,
  backendUnavailableError,
  CloseOnce,
  ComputeError,
  invalidArgumentError,
  lazyStream,
  noCallOptions,
  readStreamOptions,
  readRunOptions,
  runUnderDeadline,
  type CallOptions,
  type ComputeBackendInterface,
} from '@hybridcompute/core';
import { EndpointRotation } from './endpoint-rotation.js';
import { TransportFailure, type HttpTransport } from './http-transport.js';
import { readTaskList } from './read-http-answer.js';
import { defaultMaxConcurrency, readRemoteBackendOptions, type RemoteBackendOptions, type RemotePlatform, type RemoteEncoding, type RemoteRunOptions, type RemoteTransport } from './remote-backend-options.js';
import { loadOfEndpoints, RemoteEndpoint, type RemoteLoad } from './remote-endpoint.js';
import { retryDelay } from './retry-delay.js';
import { sendHttpCall, type HttpCall } from './send-http-call.js';
import { openWebSocketChannel } from './lazy-websocket-channel.js';
import { withTls } from './remote-tls-options.js';
import { codecFor, refusalToSend } from './refusal-to-send.js';
import { jsonCodec } from '@hybridcompute/wire/json';
import { loadMsgpackCodec } from './msgpack-codec-loader.js';
import { isAborted, sleep } from './sleep.js';
import { subprotocolsFor } from './subprotocols-for.js';
import { askEncodings, whyRefused, type TaskListProbe } from './task-list-probe.js';
import { openRemoteStream, type RemoteStreamContext, type RemoteStreamOptions } from './remote-stream.js';

// How long connect() (and the WebSocket's refusal probe) waits for one endpoint when the backend has no timeout.
const defaultConnectAttemptMs = 10_000;

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
  readonly #endpoints: readonly RemoteEndpoint[];
  readonly #rotation: EndpointRotation<RemoteEndpoint>;
  readonly #http: HttpTransport;
  readonly #token: string | undefined;
  readonly #timeout: number | undefined;
  readonly #idempotent: ReadonlySet<string>;
  readonly #retries: number;
  readonly #encoding: RemoteEncoding;
  #tasks: ReadonlySet<string> | undefined;
  // Aborted by close(): wakes calls waiting out a retry backoff so they settle at once.
  readonly #closing = new AbortController();
  readonly #closer = new CloseOnce(() => this.#shutDown());
  readonly #streams: RemoteStreamContext;
  readonly #probe: TaskListProbe;

  constructor(options: RemoteBackendOptions, platform: RemotePlatform) {
    const resolved = readRemoteBackendOptions(options);
    this.transport = resolved.transport;
    this.name = resolved.name;
    this.#token = resolved.token;
    this.#timeout = resolved.timeout;
    this.#retries = resolved.retries;
    this.#encoding = resolved.encoding;
    this.#idempotent = resolved.idempotent;
    this.#tasks = resolved.tasks === undefined ? undefined : new Set(resolved.tasks);
    this.#http = platform.createHttpTransport(resolved.http);
    this.#probe = { http: this.#http, headers: () => this.#authHeaders(), timeoutMs: this.#timeout ?? defaultConnectAttemptMs, backend: this.name };
    const { maxResponseBytes } = resolved.http;
    this.#endpoints = resolved.endpoints.map((url) => {
      const endpoint = new RemoteEndpoint(url, defaultMaxConcurrency);
      if (this.transport === 'websocket') {
        endpoint.channel = openWebSocketChannel(platform, {
          url: endpoint.wsUrl,
          token: this.#token,
          factory: withTls(platform.createWebSocket, resolved.tls),
          backend: this.name,
          maxResponseBytes,
          admission: endpoint.admission,
          subprotocols: () => subprotocolsFor(codecFor(this.#encoding, endpoint.encodings)),
          // Under 'auto' the socket's subprotocol fixes its encoding: learn what the server speaks before opening one.
          beforeOpen: () =>
            (this.#encoding === 'auto' ? endpoint.discoverEncodings(() => askEncodings(this.#probe, endpoint)) : Promise.resolve()).then(() =>
              this.#loadCodecFor(endpoint),
            ),
          probe: () => whyRefused(this.#probe, endpoint),
        });
      }
      return endpoint;
    });
    this.#streams = {
      backend: this.name,
      http: this.#http,
      encoding: this.#encoding,
      maxResponseBytes,
      authHeaders: () => this.#authHeaders(),
      askTaskList: (endpoint) => askEncodings(this.#probe, endpoint).then((encodings) => endpoint.learnEncodings(encodings ?? ['json'])),
    };
    this.#rotation = EndpointRotation.byExpectedFinish(this.#endpoints, resolved.endpointCooldown);
  }

  /**
   * The tasks the servers reported (after `connect()`) or `tasks` named;
   * `undefined` when unknown: before `connect()`, or when the server said it
   * cannot list its tasks (`canRun` then leaves the decision to the server).
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
   * knows the server's tasks and the client its admission limit (a server
   * without that route leaves both as they were). Each endpoint is given the
   * backend's `timeout` (10 s without one) before the next is asked;
   * `options.signal` bounds the whole. Rejects with `UNAUTHORIZED` for a wrong
   * token, `TASK_TIMEOUT`/`TASK_ABORTED` when `options.signal` ends it,
   * `PROTOCOL_ERROR` for an answer that is not a task list (a 204), and
   * `BACKEND_UNAVAILABLE` when no endpoint answers (or they redirect).
   *
   * @example
   * ```ts
   * await remote.connect({ signal: AbortSignal.timeout(2_000) });
   * remote.canRun('double'); // true only if the server serves it
   * ```
   */
  async connect(options: { signal?: AbortSignal | null | undefined } = {}): Promise<void> {
    const callerSignal = readRunOptions('connect', options).signal;
    if (this.#closer.closed) throw backendClosedError(this.name);
    const attemptMs = this.#timeout ?? defaultConnectAttemptMs;
    let lastError: unknown;
    for (const endpoint of this.#endpoints) {
      if (callerSignal?.aborted === true) throw abortErrorFrom(callerSignal.reason, undefined, this.name);
      // Each endpoint its own deadline: one that accepts and never answers must not use up the time of the next.
      const attemptTimeout = AbortSignal.timeout(attemptMs);
      const signal = callerSignal === undefined ? attemptTimeout : AbortSignal.any([callerSignal, attemptTimeout]);
      try {
        const answer = await this.#http.request('GET', endpoint.tasksUrl, this.#authHeaders(), undefined, signal);
        endpoint.admission.learn(answer.maxConcurrency);
        const list = readTaskList(answer, endpoint.tasksUrl, this.name);
        // A server of the older protocol has no task list: canRun stays as it was, and it speaks JSON.
        if (list === 'unsupported') {
          endpoint.learnEncodings(['json']);
          endpoint.streaming = false;
          return;
        }
        endpoint.streaming = list.streaming;
        endpoint.admission.learn(list.maxConcurrency);
        endpoint.learnEncodings(list.encodings);
        this.#tasks = list.tasks === undefined ? undefined : new Set(list.tasks);
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
    if (this.#closer.closed) return false;
    return this.#tasks === undefined || this.#tasks.has(taskName);
  }

  /**
   * How busy the servers are, summed over the endpoints: calls in flight,
   * their advertised `maxConcurrency` (256, the server's default, for one that
   * has not said yet), and calls waiting on the client for room.
   *
   * @example
   * ```ts
   * const { inFlight, capacity } = remote.load();
   * if (inFlight >= capacity) preferLocal();
   * ```
   */
  load(): RemoteLoad {
    return loadOfEndpoints(this.#endpoints);
  }

  /**
   * Runs the task on a server. Rejects with the server's `ComputeError`
   * (`TASK_FAILED` with the task's error as `cause`, `TASK_NOT_FOUND`, ...),
   * `BACKEND_UNAVAILABLE` when no server could take the call (the router
   * falls back), `TASK_TIMEOUT` at the deadline and `TASK_ABORTED` on abort
   * (in both the server is told to stop), `PROTOCOL_ERROR` for an answer that
   * is not the protocol, and `INVALID_REQUEST` for bad options.
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
    let callOptions: CallOptions;
    try {
      callOptions = readRunOptions(taskName, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
    const idempotencyKey = options?.idempotencyKey;
    if (idempotencyKey !== undefined && typeof idempotencyKey !== 'string') {
      return Promise.reject(invalidArgumentError(`runTask('${taskName}'): idempotencyKey must be a string, got ${typeof idempotencyKey}`));
    }
    const timeout = callOptions.timeout ?? this.#timeout;
    if (timeout === undefined && callOptions.signal === undefined) return this.#attempts(taskName, input, undefined, undefined, idempotencyKey, callOptions.onProgress) as Promise<Output>;
    const deadlineAt = timeout === undefined ? undefined : Date.now() + timeout;
    const withTimeout = timeout === callOptions.timeout ? callOptions : { signal: callOptions.signal, timeout };
    return runUnderDeadline(taskName, this.name, withTimeout, (signal) => this.#attempts(taskName, input, signal, deadlineAt, idempotencyKey, callOptions.onProgress)) as Promise<Output>;
  }

  /**
   * Streams a task's chunks from a server: an `async function*` task's
   * yields, in order, under flow control (at most `highWaterMark` chunks on
   * their way; a loop that stops reading pauses the task at its `yield`).
   * Leaving the loop early stops the task on the server: its generator is
   * closed and its `ctx.signal` aborts. A failure after some chunks rejects
   * the loop (`TASK_FAILED`, the task's code in `cause`) once those are read;
   * the server vanishing is `BACKEND_UNAVAILABLE`; bad options, a task that
   * does not stream, or a server that cannot, are `INVALID_REQUEST`. Streams
   * refused with `QUEUE_FULL` are retried as calls are (before any chunk).
   *
   * @example
   * ```ts
   * for await (const tile of remote.streamTask('tiles', image, { highWaterMark: 8, timeout: 30_000 })) {
   *   draw(tile);
   *   if (cancelled) break; // the server closes the generator
   * }
   * ```
   */
  streamTask(taskName: string, input: unknown, options?: RemoteStreamOptions): AsyncIterableIterator<unknown> {
    return lazyStream(() => {
      if (typeof taskName !== 'string') throw invalidArgumentError(`streamTask: the task name must be a string, got ${typeof taskName}`);
      const read = readStreamOptions(taskName, options);
      if (this.#closer.closed) throw backendClosedError(this.name, taskName);
      const withTimeout = read.timeout === undefined && this.#timeout !== undefined ? { ...read, timeout: this.#timeout } : read;
      return openRemoteStream(this.#streams, this.#rotation.pick().endpoint, taskName, input, withTimeout);
    });
  }

  /**
   * Closes connections and sockets; calls in flight, waiting for room, for a
   * retry or for a WebSocket to open reject with `BACKEND_UNAVAILABLE`, and
   * none is sent again. Later calls reject the same way; `close()` twice is fine.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void remote.close());
   * ```
   */
  close(): Promise<void> {
    return this.#closer.close();
  }

  async #shutDown(): Promise<void> {
    this.#closing.abort();
    for (const endpoint of this.#endpoints) endpoint.channel?.close();
    await this.#http.close();
  }

  #attempts(taskName: string, input: unknown, signal: AbortSignal | undefined, deadlineAt: number | undefined, idempotencyKey: string | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    // The first attempt is the hot path: no retry state is built unless it fails.
    const { endpoint, index, sent } = this.#rotation.pick(undefined, taskName);
    return this.#call(endpoint, taskName, input, signal, deadlineAt, idempotencyKey, onProgress).then(
      (result) => {
        this.#rotation.markUp(index, taskName, sent);
        return result;
      },
      (error: unknown) => this.#retry(error, index, taskName, input, signal, deadlineAt, idempotencyKey, onProgress),
    );
  }

  async #retry(
    firstError: unknown,
    firstIndex: number,
    taskName: string,
    input: unknown,
    signal: AbortSignal | undefined,
    deadlineAt: number | undefined,
    idempotencyKey: string | undefined,
    onProgress: ((value: unknown) => void) | undefined,
  ): Promise<unknown> {
    const retryable = idempotencyKey !== undefined || this.#idempotent.has(taskName);
    const tried = new Set<number>([firstIndex]);
    let retriesLeft = this.#retries;
    let error = firstError;
    let index = firstIndex;
    for (;;) {
      if (signal?.aborted === true) throw abortErrorFrom(signal.reason, taskName, this.name);
      if (this.#closer.closed) throw this.#closedError(taskName, error);
      if (!(error instanceof TransportFailure) && !(ComputeError.isInstance(error) && (error.code === 'QUEUE_FULL' || error.code === 'BACKEND_UNAVAILABLE'))) throw error;
      const unreached = error instanceof TransportFailure && !error.delivered;
      if (unreached) this.#rotation.markDown(index);
      // A request that never arrived can go to another endpoint at once: it cannot run twice.
      if (!(unreached && this.#rotation.hasOtherUp(tried))) {
        if (!retryable || retriesLeft <= 0) throw this.#unavailable(taskName, error);
        retriesLeft--;
        const waitMs = retryDelay(error, this.#retries - retriesLeft);
        if (deadlineAt !== undefined && Date.now() + waitMs >= deadlineAt) throw this.#unavailable(taskName, error);
        await sleep(waitMs, signal, this.#closing.signal);
        // Re-read: the sleep may have ended with an abort or close().
        if (signal !== undefined && isAborted(signal)) throw abortErrorFrom(signal.reason, taskName, this.name);
        if (this.#closer.closed) throw this.#closedError(taskName, error);
        tried.clear();
      }
      const next = this.#rotation.pick(tried, taskName);
      index = next.index;
      tried.add(index);
      try {
        const result = await this.#call(next.endpoint, taskName, input, signal, deadlineAt, idempotencyKey, onProgress);
        this.#rotation.markUp(index, taskName, next.sent);
        return result;
      } catch (caught) {
        error = caught;
      }
    }
  }

  #call(endpoint: RemoteEndpoint, taskName: string, input: unknown, signal: AbortSignal | undefined, deadlineAt: number | undefined, idempotencyKey: string | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    // Under 'auto', a value JSON would change is refused only once the server is known not to speak
    // MessagePack: ask it once, with GET /tasks. (A socket asks before it opens: see beforeOpen.)
    if (this.#encoding === 'auto' && endpoint.encodings === undefined && endpoint.channel === undefined) {
      if (jsonCodec.mismatchOf(input, 'input') !== undefined) {
        return endpoint
          .discoverEncodings(() => askEncodings(this.#probe, endpoint))
          .then(() => this.#callNow(endpoint, taskName, input, signal, deadlineAt, idempotencyKey, onProgress));
      }
    }
    return this.#callNow(endpoint, taskName, input, signal, deadlineAt, idempotencyKey, onProgress);
  }

  #callNow(endpoint: RemoteEndpoint, taskName: string, input: unknown, signal: AbortSignal | undefined, deadlineAt: number | undefined, idempotencyKey: string | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    if (endpoint.channel !== undefined) {
      return endpoint.channel.call(taskName, input, signal === undefined ? noCallOptions : { signal, timeout: undefined }, deadlineAt, onProgress);
    }
    const codec = codecFor(this.#encoding, endpoint.encodings);
    if (codec === undefined) {
      return this.#loadCodecFor(endpoint).then(() => this.#callNow(endpoint, taskName, input, signal, deadlineAt, idempotencyKey, onProgress));
    }
    const refusal = refusalToSend(codec, input, taskName, this.name, endpoint.url);
    if (refusal !== undefined) return Promise.reject(refusal);
    const call: HttpCall = { taskName, input, codec, headers: this.#authHeaders(), deadlineAt, idempotencyKey, signal, backend: this.name };
    if (onProgress !== undefined) Object.assign(call, { onProgress, maxRecordBytes: this.#streams.maxResponseBytes });
    return sendHttpCall(this.#http, endpoint, call);
  }

  // MessagePack's codec is loaded on first need, so that a client of JSON servers never carries it.
  async #loadCodecFor(endpoint: RemoteEndpoint): Promise<void> {
    if (codecFor(this.#encoding, endpoint.encodings) === undefined) await loadMsgpackCodec(this.name);
  }

  #authHeaders(): Record<string, string> {
    return this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` };
  }

  #closedError(taskName: string, cause: unknown): ComputeError {
    return backendUnavailableError(this.name, `The remote backend was closed before task '${taskName}' finished`, { taskName, cause });
  }

  #unavailable(taskName: string | undefined, error: unknown): ComputeError {
    if (ComputeError.isInstance(error)) return error;
    const what = taskName === undefined ? 'the request' : `task '${taskName}'`;
    return backendUnavailableError(this.name, `No compute server could take ${what}: ${error instanceof Error ? error.message : String(error)}`, { taskName, cause: error });
  }
}
