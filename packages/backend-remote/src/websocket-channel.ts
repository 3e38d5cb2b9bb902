import { backendClosedError, backendUnavailableError, CallsInFlight, ComputeError, type CallCounts, type CallOptions, type InFlightCall } from '@hybridcompute/core';
import type { AdmissionQueue } from './admission-queue.js';
import { errorFromAnswer } from './error-from-answer.js';
import { responseTooLargeError } from './http-transport.js';
import { readAnswerFrame } from './read-answer-frame.js';
import { refusalToSend } from './refusal-to-send.js';
import { jsonCodec, subprotocolOf, type WireCodec } from '@hybridcompute/wire/json';
import { loadedMsgpackCodec } from './msgpack-codec-loader.js';
import { WebSocketConnector } from './websocket-connector.js';
import type { WebSocketCloseEvent, WebSocketFactory, WebSocketLike } from './websocket-like.js';
import { ChannelStream, streamFrameFault } from './channel-stream.js';
import { ChunkQueue } from '@hybridcompute/core';
import { deliverProgress } from './stream-records.js';
import { activeTraceCarrier, type TraceCarrier } from './trace-context-carrier.js';

interface SocketCall {
  input: unknown;
  // When the whole call (all its attempts) must end: the frame's `timeout` is what is left of it.
  deadlineAt: number | undefined;
  // The socket the call went out on; `undefined` while it waits for room or a socket.
  socket: WebSocketLike | undefined;
  // The caller's W3C trace context, when a span was active: `traceparent` (and `tracestate`) on the frame.
  traceCarrier: TraceCarrier | undefined;
  // The caller's onProgress: the frame asks for `{ id, progress }` frames.
  onProgress?: ((value: unknown) => void) | undefined;
  // A stream's reader and credits (see channel-stream.ts).
  stream?: ChannelStream | undefined;
}

type Call = InFlightCall<unknown, SocketCall>;

/** What a channel is built from. */
export interface WebSocketChannelOptions {
  url: URL;
  token: string | undefined;
  factory: WebSocketFactory;
  backend: string;
  maxResponseBytes: number;
  /** The endpoint's admission limit and queue; the channel teaches it what the upgrade advertised. */
  admission: AdmissionQueue<unknown>;
  /** The subprotocols to offer on the next socket: they choose its encoding. */
  subprotocols(): readonly string[];
  /** Awaited before each socket is opened (to learn what the server speaks). */
  beforeOpen(): Promise<void>;
  /** See {@link WebSocketConnectorOptions.probe}. */
  probe(): Promise<ComputeError | undefined>;
}

const open = 1;

/**
 * Many calls multiplexed on one WebSocket to one endpoint, matched by `id`
 * (the call's id in a core `CallsInFlight` table). At most the server's
 * advertised `maxConcurrency` are on the socket at once; the rest wait in the
 * endpoint's {@link AdmissionQueue}, within their deadlines, and a
 * `QUEUE_FULL` answer puts a call back at the front. The socket opens on first
 * use and again after it drops (see {@link WebSocketConnector}).
 *
 * Every frame settles something or nothing on purpose: an answer that names
 * a call but is not the protocol is that call's `PROTOCOL_ERROR`; a frame that
 * names no call fails the socket, whose calls reject with `BACKEND_UNAVAILABLE`.
 */
export class WebSocketChannel {
  readonly #url: URL;
  readonly #backend: string;
  readonly #maxResponseBytes: number;
  // Holds this channel's calls only: the endpoint's queue serves one transport.
  readonly #admission: AdmissionQueue<Call>;
  readonly #calls: CallsInFlight<SocketCall>;
  readonly #connector: WebSocketConnector;
  #socket: WebSocketLike | undefined;
  // What each socket speaks, fixed by the subprotocol the server chose at its upgrade.
  readonly #codecs = new WeakMap<WebSocketLike, WireCodec>();
  #connecting = false;
  #closed = false;

  constructor(options: WebSocketChannelOptions) {
    this.#url = options.url;
    this.#backend = options.backend;
    this.#maxResponseBytes = options.maxResponseBytes;
    this.#admission = options.admission as AdmissionQueue<Call>;
    this.#calls = new CallsInFlight<SocketCall>({ backend: options.backend, onExpire: (call, error) => this.#expired(call, error) });
    this.#connector = new WebSocketConnector({
      ...options,
      onMessage: (socket, data) => this.#onMessage(socket, data),
      onClose: (socket, event) => this.#onClose(socket, event),
    });
  }

  /** How the channel's calls settled. */
  get counts(): Readonly<CallCounts> {
    return this.#calls.counts;
  }

  /**
   * Sends one call and settles with its answer. `options` carries the whole
   * call's signal (its deadline, made by the backend); `deadlineAt` is when
   * that deadline ends, for the frame's `timeout`.
   */
  call(taskName: string, input: unknown, options: CallOptions, deadlineAt: number | undefined, onProgress?: (value: unknown) => void): Promise<unknown> {
    if (this.#closed) return Promise.reject(backendClosedError(this.#backend, taskName));
    const traceCarrier = activeTraceCarrier();
    const call = this.#calls.open(taskName, options, onProgress === undefined ? { input, deadlineAt, socket: undefined, traceCarrier } : { input, deadlineAt, socket: undefined, traceCarrier, onProgress });
    return this.#start(call);
  }

  /**
   * Streams one call: `{ id, task, input, stream: highWaterMark }` out,
   * `{ id, chunk }` frames in, `{ id, credit }` out as the reader takes
   * them, `{ id, end: true }` or an error to finish. Leaving the loop early
   * sends `{ id, cancel: true }`. `options` carries the call's own deadline.
   */
  stream(taskName: string, input: unknown, options: CallOptions, highWaterMark: number): AsyncIterableIterator<unknown> {
    if (this.#closed) {
      const closed = new ChunkQueue({ taken: () => {}, cancel: () => {} });
      closed.fail(backendClosedError(this.#backend, taskName));
      return closed;
    }
    const deadlineAt = options.timeout === undefined ? undefined : Date.now() + options.timeout;
    let call: Call | undefined;
    const stream = new ChannelStream(highWaterMark, {
      grant: (credit) => {
        const socket = call?.state.socket;
        if (call !== undefined && !call.settled && socket?.readyState === open) socket.send(this.#codecOf(socket).encode({ id: call.id, credit }));
      },
      cancel: () => {
        if (call !== undefined && !call.settled) this.#cancel(call);
      },
    });
    call = this.#calls.open(taskName, options, { input, deadlineAt, socket: undefined, traceCarrier: activeTraceCarrier(), onProgress: options.onProgress, stream });
    call.promise.then(
      () => stream.queue.end(),
      (error: unknown) => stream.queue.fail(error),
    );
    void this.#start(call);
    return stream.queue;
  }

  #start(call: Call): Promise<unknown> {
    if (call.settled) return call.promise;
    const socket = this.#socket;
    if (socket !== undefined && socket.readyState === open && this.#admission.tryAdmit()) {
      this.#send(socket, call);
    } else {
      this.#admission.enqueue(call);
      this.#pump();
    }
    return call.promise;
  }

  /** Closes the socket; calls pending or waiting reject with `BACKEND_UNAVAILABLE`. */
  close(): void {
    this.#closed = true;
    const socket = this.#socket;
    this.#socket = undefined;
    this.#admission.drain();
    this.#calls.rejectAll((call: Call) => backendClosedError(this.#backend, call.taskName));
    this.#connector.close();
    socket?.close(1000, 'client closed');
  }

  #send(socket: WebSocketLike, call: Call): void {
    const { input, deadlineAt } = call.state;
    const codec = this.#codecOf(socket);
    let data: string | Uint8Array;
    try {
      const refusal = refusalToSend(codec, input, call.taskName, this.#backend, this.#url);
      if (refusal !== undefined) throw refusal;
      const frame: Record<string, unknown> = { id: call.id, task: call.taskName, input };
      if (deadlineAt !== undefined) frame['timeout'] = Math.max(1, deadlineAt - Date.now());
      if (call.state.traceCarrier !== undefined) Object.assign(frame, call.state.traceCarrier);
      if (call.state.stream !== undefined) frame['stream'] = call.state.stream.restart();
      if (call.state.onProgress !== undefined) frame['progress'] = true;
      data = codec.encode(frame);
    } catch (error) {
      this.#admission.finished();
      call.reject(ComputeError.isInstance(error) ? error : new ComputeError({ code: 'INVALID_REQUEST', message: `The input of task '${call.taskName}' could not be encoded`, cause: error }));
      this.#pump();
      return;
    }
    call.state.socket = socket;
    socket.send(data);
  }

  #codecOf(socket: WebSocketLike): WireCodec {
    let codec = this.#codecs.get(socket);
    if (codec === undefined) {
      // The socket asks for MessagePack only once its codec is loaded (see subprotocols), so it is there.
      codec = (socket.protocol === subprotocolOf.msgpack ? loadedMsgpackCodec() : undefined) ?? jsonCodec;
      this.#codecs.set(socket, codec);
    }
    return codec;
  }

  // Sends what the admission limit lets through, or opens a socket for the calls waiting.
  #pump(): void {
    if (this.#closed || this.#admission.queued === 0) return;
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== open) {
      if (!this.#connecting) this.#connect();
      return;
    }
    for (let call = this.#admission.admitNext(); call !== undefined; call = this.#admission.admitNext()) {
      if (call.settled) this.#admission.finished();
      else this.#send(socket, call);
    }
  }

  #connect(): void {
    this.#connecting = true;
    this.#connector.open().then(
      ({ socket, maxConcurrency }) => {
        this.#connecting = false;
        if (this.#closed) {
          socket.close(1000, 'client closed');
          return;
        }
        this.#socket = socket;
        this.#admission.learn(maxConcurrency);
        this.#pump();
      },
      (error: unknown) => {
        this.#connecting = false;
        // The calls waiting for this socket never left: each gets the reason (UNAUTHORIZED or unreachable).
        for (const call of this.#admission.drain()) call.reject(error);
      },
    );
  }

  // A deadline rejected the call: tell the server if it was sent, or take it out of the queue.
  #expired(call: Call, error: ComputeError): void {
    // A stream ends now: chunks that arrived before the deadline or the abort are not handed out after it.
    call.state.stream?.queue.abort(error);
    const socket = call.state.socket;
    if (socket === undefined) {
      this.#admission.remove(call);
      return;
    }
    // Nobody waits for the answer to a cancel.
    if (socket.readyState === open) socket.send(this.#codecOf(socket).encode({ id: call.id, cancel: true }));
    this.#finished();
  }

  // The reader left the loop: the server closes the generator; the call's slot is free at once.
  #cancel(call: Call): void {
    const socket = call.state.socket;
    if (socket === undefined) this.#admission.remove(call);
    else {
      if (socket.readyState === open) socket.send(this.#codecOf(socket).encode({ id: call.id, cancel: true }));
      this.#admission.finished();
    }
    call.reject(new ComputeError({ code: 'TASK_ABORTED', message: `The reader of task '${call.taskName}' stopped reading`, taskName: call.taskName, backend: this.#backend }));
    this.#pump();
  }

  #finished(): void {
    this.#admission.finished();
    this.#pump();
  }

  #onMessage(socket: WebSocketLike, data: unknown): void {
    const frame = readAnswerFrame(data, this.#codecOf(socket));
    if (frame.kind === 'ignored') return;
    if (frame.kind === 'unidentifiable') {
      const said = typeof frame.frame?.['error'] === 'string' ? `: ${frame.frame['error'] as string}` : '';
      this.#failSocket(socket, `The server at ${this.#url.href} sent ${frame.reason}${said}; the socket was closed`);
      return;
    }
    const call = this.#calls.get(frame.id);
    // A late answer (the call timed out) or one for a call on another socket: not ours to settle.
    if (call === undefined || call.state.socket !== socket) return;
    if (frame.kind === 'progress') {
      deliverProgress(call.state.onProgress, frame.value);
      return;
    }
    if (frame.kind === 'chunk' && call.state.stream?.accepts() === true) {
      call.state.stream.queue.push(frame.value);
      return;
    }
    const overLimit = isOverLimit(data, this.#maxResponseBytes);
    const fault = overLimit ? undefined : streamFrameFault(frame.kind, call.state.stream);
    if (fault !== undefined || frame.kind === 'chunk') {
      // The server broke the stream's rules (a chunk past its credits, a plain result): stop it there.
      if (socket.readyState === open) socket.send(this.#codecOf(socket).encode({ id: call.id, cancel: true }));
      this.#admission.finished();
      call.reject(new ComputeError({ code: 'PROTOCOL_ERROR', message: `The server at ${this.#url.href} ${fault ?? 'sent a chunk over maxResponseBytes'}` }));
    } else if (overLimit) {
      this.#admission.finished();
      call.reject(responseTooLargeError(this.#url, this.#maxResponseBytes));
    } else if (frame.kind === 'end') {
      this.#admission.finished();
      call.resolve(undefined);
    } else if (frame.kind === 'result') {
      this.#admission.finished();
      call.resolve(frame.result);
    } else if (frame.kind === 'garbled') {
      this.#admission.finished();
      call.reject(new ComputeError({ code: 'PROTOCOL_ERROR', message: `The server at ${this.#url.href} sent ${frame.reason}` }));
    } else {
      const error = errorFromAnswer(frame.frame, undefined, call.taskName, this.#backend);
      if (error.code === 'QUEUE_FULL') {
        call.state.socket = undefined;
        // Back to the front until another of this endpoint's calls finishes; never started there, so safe to send again.
        if (this.#admission.refused(call)) return;
      } else {
        this.#admission.finished();
      }
      call.reject(error);
    }
    this.#pump();
  }

  #failSocket(socket: WebSocketLike, message: string): void {
    this.#rejectSentOn(socket, message);
    if (this.#socket === socket) this.#socket = undefined;
    try {
      socket.close(1002, 'protocol error');
    } catch {
      // Already closing.
    }
    this.#pump();
  }

  #onClose(socket: WebSocketLike, event: WebSocketCloseEvent): void {
    if (this.#socket === socket) this.#socket = undefined;
    const why =
      event.code === 1009
        ? `sent a frame over maxResponseBytes (${this.#maxResponseBytes} bytes), so the client closed the socket`
        : 'closed the socket before the call was answered';
    // Calls already sent on a newer socket (opened while this one was closing) stay pending.
    this.#rejectSentOn(socket, `The WebSocket to ${this.#url.href} ${why}`);
    this.#pump();
  }

  #rejectSentOn(socket: WebSocketLike, message: string): void {
    const sent: Call[] = [];
    for (const call of this.#calls.values()) if (call.state.socket === socket) sent.push(call);
    for (const call of sent) {
      this.#admission.finished();
      call.reject(backendUnavailableError(this.#backend, message, { taskName: call.taskName }));
    }
  }
}

// Platforms that cannot bound a frame as it arrives (browsers) still refuse to hand on one past the limit.
function isOverLimit(data: unknown, limit: number): boolean {
  if (typeof data === 'string') return data.length > limit;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength > limit;
  return false;
}
