import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { ComputeError, timeoutHeader } from '@hybridcompute/core';
import { AnswerBackpressure } from './answer-backpressure.js';
import { CallStop } from './call-stop.js';
import type { CallOrigin } from './call-origin.js';
import type { CallOutcome, CallRunner } from './call-runner.js';
import type { ServerSettings } from './compute-server-options.js';
import type { ServerContext } from './server-context.js';
import { errorBodyOf, refusal } from './error-body-of.js';
import { maxConcurrencyHeader } from './max-concurrency-header.js';
import { parseCall, parseDeadline } from './parse-call.js';
import { traceContextOfHeaders } from './trace-server-call.js';
import { readBody } from './read-body.js';
import { encodeAnswer } from './encode-answer.js';
import { codecOf, encodingOfContentType, encodingsHeader, jsonCodec, streamEncodingOf, wireEncodings, type WireCodec } from '@hybridcompute/wire';
import { answerStreamed } from './http-stream-answer.js';

const retryAfterSeconds = '1';
const encodingsOffered = wireEncodings.join(', ');

/** One keep-alive connection's answers still on their way out, and its backpressure. */
interface HttpConnection {
  unsentBytes: number;
  backpressure: AnswerBackpressure;
}

/**
 * Answers HTTP requests: `POST /compute`, `GET /tasks`, `/healthz`,
 * `/readyz`, CORS preflights. Every response carries
 * `x-compute-max-concurrency`. A connection whose client does not read its
 * answers (pipelining without reading) stops being read: see
 * {@link AnswerBackpressure}.
 */
export class HttpHandler {
  readonly #settings: ServerSettings;
  readonly #runner: CallRunner;
  readonly #context: ServerContext;
  readonly #connections = new WeakMap<Socket, HttpConnection>();
  readonly #sentBytes = new WeakMap<ServerResponse, number>();
  readonly #maxConcurrency: string;

  constructor(context: ServerContext) {
    const { settings, runner } = context;
    this.#context = context;
    this.#settings = settings;
    this.#runner = runner;
    this.#maxConcurrency = String(runner.maxConcurrency);
  }

  /** The `request` listener of the node:http server. */
  readonly onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const socket = request.socket;
    const refused = this.#context.refusedConnection(socket);
    if (refused !== undefined) {
      this.#refuse(request, response, refusal('BACKEND_UNAVAILABLE', refused), { connection: 'close' });
      return;
    }
    const connection = this.#connectionOf(socket);
    // Each request counts against its connection's backpressure until its response is gone:
    // 'close' follows 'finish' (the bytes were handed to the kernel), or the connection's end.
    connection.backpressure.submit(() => {
      response.once('close', () => {
        const bytes = this.#sentBytes.get(response) ?? 0;
        connection.unsentBytes -= bytes;
        connection.backpressure.answered(bytes);
        connection.backpressure.drained();
      });
      this.#route(request, response);
    });
  };

  #connectionOf(socket: Socket): HttpConnection {
    let connection = this.#connections.get(socket);
    if (connection === undefined) {
      const created: HttpConnection = {
        unsentBytes: 0,
        backpressure: new AnswerBackpressure(
          {
            unsentBytes: () => created.unsentBytes,
            pause: () => socket.pause(),
            resume: () => socket.resume(),
            drop: () => socket.destroy(),
          },
          this.#settings.maxBufferedBytesPerConnection,
          this.#settings.bufferedTimeout,
        ),
      };
      socket.once('close', () => created.backpressure.close());
      this.#connections.set(socket, created);
      connection = created;
    }
    return connection;
  }

  #route(request: IncomingMessage, response: ServerResponse): void {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const pathname = query === -1 ? url : url.slice(0, query);
    const paths = this.#settings.paths;
    if (this.#context.cors.answerPreflight(request, response, { [maxConcurrencyHeader]: this.#maxConcurrency })) return;
    if (pathname === paths.compute) {
      if (request.method !== 'POST') return this.#methodNotAllowed(response, 'POST');
      if (!this.#context.authorized(request)) return this.#refuse(request, response, refusal('UNAUTHORIZED', 'Missing or wrong bearer token'));
      void this.#compute(request, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (pathname === paths.tasks || pathname === paths.healthz || pathname === paths.readyz) return this.#methodNotAllowed(response, 'GET');
    }
    if (pathname === paths.healthz) return this.#sendJson(response, 200, { status: 'ok' });
    if (pathname === paths.readyz) {
      return this.#runner.draining
        ? this.#sendJson(response, 503, { status: 'draining' }, { 'retry-after': retryAfterSeconds })
        : this.#sendJson(response, 200, { status: 'ready' });
    }
    if (pathname === paths.tasks) {
      if (!this.#context.authorized(request)) return this.#refuse(request, response, refusal('UNAUTHORIZED', 'Missing or wrong bearer token'));
      return this.#sendJson(response, 200, { ...this.#runner.taskListing(), encodings: wireEncodings });
    }
    this.#sendJson(response, 404, { error: `No such endpoint: ${request.method ?? ''} ${pathname}`, code: 'INVALID_REQUEST' });
  }

  async #compute(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (this.#runner.draining) return this.#refuse(request, response, refusal('BACKEND_UNAVAILABLE', 'The server is shutting down'));
    const encoding = encodingOfContentType(request.headers['content-type']);
    if (encoding === undefined) return this.#unsupportedMediaType(request, response);
    const codec = codecOf(encoding);
    const maxBodyBytes = this.#settings.maxBodyBytes;
    if (Number(request.headers['content-length']) > maxBodyBytes) return this.#tooLarge(request, response);
    let body: Buffer | null;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch {
      // The client went away mid-body; there is no one to answer.
      return;
    }
    if (body === null) return this.#tooLarge(request, response);
    let parsed: unknown;
    try {
      parsed = codec.decode(body);
    } catch {
      return this.#refuse(request, response, refusal('INVALID_REQUEST', `The body is not valid ${codec === jsonCodec ? 'JSON' : 'MessagePack'}`), {}, codec);
    }
    const call = parseCall(parsed);
    if (ComputeError.isInstance(call)) return this.#refuse(request, response, call, {}, codec);
    call.trace = traceContextOfHeaders(request.headers);
    const origin: CallOrigin = { transport: 'http', socket: request.socket };
    const streamEncoding = streamEncodingOf(request.headers.accept);
    if (streamEncoding !== undefined || call.stream !== undefined) {
      return answerStreamed({
        runner: this.#runner,
        response,
        call,
        encoding: streamEncoding,
        timeout: parseDeadline(request.headers[timeoutHeader]),
        headers: { [maxConcurrencyHeader]: this.#maxConcurrency, [encodingsHeader]: encodingsOffered },
        debug: this.#settings.debug,
        origin,
        refuse: (error) => this.#refuse(request, response, error, {}, codec),
        answer: (result) => this.#answer(request, response, codec, call.task, result),
      });
    }

    const started = this.#runner.callStarted(origin);
    const stop = new CallStop();
    // The caller hung up (or aborted): stop the task it no longer waits for.
    const onClose = (): void => {
      if (!response.writableFinished) {
        stop.stop(new ComputeError({ code: 'TASK_ABORTED', message: `Task '${call.task}' was aborted by the caller`, taskName: call.task, backend: 'server' }));
      }
    };
    response.on('close', onClose);
    const outcome = await this.#runner.run(call, parseDeadline(request.headers[timeoutHeader]), stop);
    response.off('close', onClose);
    if (response.destroyed) return this.#runner.answered(call, outcome, started, origin);
    if (!outcome.ok) this.#refuse(request, response, outcome.error, {}, codec);
    const answered = outcome.ok ? this.#answer(request, response, codec, call.task, outcome.result) : outcome;
    this.#runner.answered(call, answered, started, origin);
  }

  /** Answers `{ result }`, or the `TASK_FAILED` of a result the caller's encoding cannot carry: returns which. */
  #answer(request: IncomingMessage, response: ServerResponse, codec: WireCodec, taskName: string, result: unknown): CallOutcome {
    const answer = encodeAnswer(codec, { result }, taskName);
    if (!answer.ok) {
      this.#refuse(request, response, answer.error, {}, codec);
      return { ok: false, error: answer.error };
    }
    this.#send(response, 200, answer.data, {}, codec.contentType);
    return { ok: true, result };
  }

  /** Answers with an error, in the request's encoding (JSON where the request had none to speak of). */
  #refuse(request: IncomingMessage, response: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}, codec: WireCodec = jsonCodec): void {
    const { status, body } = errorBodyOf(error, this.#settings.debug);
    const headers: Record<string, string> = status === 503 ? { 'retry-after': retryAfterSeconds, ...extraHeaders } : { ...extraHeaders };
    if (status === 401) headers['www-authenticate'] = 'Bearer';
    // The body may still be arriving; a refused call's connection is not worth keeping.
    if (!request.complete) headers['connection'] = 'close';
    this.#send(response, status, codec.encode(body), headers, codec.contentType);
  }

  #tooLarge(request: IncomingMessage, response: ServerResponse): void {
    const { body } = errorBodyOf(refusal('INVALID_REQUEST', `The body is larger than ${this.#settings.maxBodyBytes} bytes`), this.#settings.debug);
    this.#sendJson(response, 413, body, { connection: 'close' });
    // Stop reading: the rest of the body is dropped with the connection.
    response.on('finish', () => request.socket.destroySoon());
  }

  // A browser sends text/plain and form bodies cross-origin without a preflight; only JSON is a call.
  #unsupportedMediaType(request: IncomingMessage, response: ServerResponse): void {
    const message = `The body must be application/json or application/vnd.msgpack, not ${String(request.headers['content-type'])}`;
    const { body } = errorBodyOf(refusal('INVALID_REQUEST', message), this.#settings.debug);
    this.#sendJson(response, 415, body, request.complete ? {} : { connection: 'close' });
  }

  #methodNotAllowed(response: ServerResponse, allow: string): void {
    this.#sendJson(response, 405, { error: `Use ${allow}`, code: 'INVALID_REQUEST' }, { allow });
  }

  #sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.#send(response, status, JSON.stringify(body), headers, jsonCodec.contentType);
  }

  /** Writes an answer and counts its bytes as unsent until node:http has handed them to the kernel. */
  #send(response: ServerResponse, status: number, data: string | Uint8Array, headers: Record<string, string>, contentType: string): void {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    const connection = this.#connections.get(response.req.socket);
    if (connection !== undefined) {
      connection.unsentBytes += bytes;
      this.#sentBytes.set(response, bytes);
    }
    // In writeHead's object, not setHeader(): node:http takes a faster path when no header was set before.
    response.writeHead(status, { ...headers, [maxConcurrencyHeader]: this.#maxConcurrency, [encodingsHeader]: encodingsOffered, 'content-type': contentType, 'content-length': bytes });
    response.end(data);
  }
}
