import type { Duplex } from 'node:stream';
import { ComputeError, type WireCallId } from '@hybridcompute/core';
import type { RawData, WebSocket } from 'ws';
import { AnswerBackpressure } from './answer-backpressure.js';
import type { CallOutcome, CallRunner } from './call-runner.js';
import { CallStop } from './call-stop.js';
import type { CallOrigin } from './call-origin.js';
import type { ServerSettings } from './compute-server-options.js';
import { errorBodyOf, refusal } from './error-body-of.js';
import { parseCall, parseDeadline, type ParsedCall } from './parse-call.js';
import { traceContextOfFrame } from './trace-server-call.js';
import { encodeAnswer } from './encode-answer.js';
import { jsonCodec, msgpackCodec, subprotocolOf, type WireCodec } from '@hybridcompute/wire';
import { notCarriedError, streamValueMismatch } from './stream-value-mismatch.js';
import { ProgressOutlet, progressWindowBytes } from './progress-outlet.js';
import { runsOnBun } from './runs-on-bun.js';
import { WebSocketStreamSink } from './websocket-stream-sink.js';

/**
 * One WebSocket's calls, by the ids its client chose, and its timeouts:
 *
 * - backpressure: frames wait (and the socket is paused) while the client
 *   leaves more than `maxBufferedBytesPerConnection` of answers unread;
 * - a frame that has started arriving must be complete within
 *   `frameTimeout`: ws has no per-frame timer, so the rule is "no complete
 *   message, ping or pong for `frameTimeout` ms while bytes have arrived
 *   since the last one", timed from the first such byte;
 * - `idleTimeout` closes a socket with no call and no message (code 1000);
 * - the heartbeat ({@link WebSocketConnection.heartbeat}) drops a peer that
 *   did not answer the previous ping;
 * - progress: a call's `{ id, progress }` frames go while the socket has at
 *   most {@link progressWindowBytes} unsent; past that its values wait in a
 *   {@link ProgressOutlet}, coalesced, until the socket drains.
 */
export class WebSocketConnection {
  readonly #socket: WebSocket;
  readonly #runner: CallRunner;
  readonly #settings: ServerSettings;
  readonly #backpressure: AnswerBackpressure;
  // Chosen by subprotocol at the upgrade: MessagePack in binary frames, or JSON in text frames.
  readonly #codec: WireCodec;
  // Every call the client started and has not been answered, waiting or running, with its stop switch.
  readonly #calls = new Map<WireCallId, CallStop>();
  // The streams among them, for their `{ id, credit }` frames; made on the first stream.
  #streams: Map<WireCallId, WebSocketStreamSink> | undefined;
  readonly #onClosed: () => void;
  // Timers fire rarely and check timestamps, so a busy socket pays a clock read per chunk, not a timer.
  #idleTimer: ReturnType<typeof setTimeout>;
  #lastActivity = performance.now();
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  // When bytes first arrived after the last complete message, ping or pong.
  #partialSince: number | undefined;
  #alive = true;
  // Who calls on this socket, for the access log and metrics: one object for all its calls.
  readonly #origin: CallOrigin;
  // Corked while a tick's frames are sent; `undefined` where the runtime's socket cannot cork.
  readonly #rawSocket: Duplex | undefined;
  // While the answers of this tick are corked: whether the socket was backed up when the first went.
  #corkedBackedUp: boolean | undefined;
  // Progress outlets waiting for the socket to drain under progressWindowBytes; made on the first.
  #progressWaiters: Array<() => void> | undefined;

  constructor(socket: WebSocket, rawSocket: Duplex, runner: CallRunner, settings: ServerSettings, onClosed: () => void) {
    this.#socket = socket;
    this.#codec = socket.protocol === subprotocolOf.msgpack ? msgpackCodec : jsonCodec;
    this.#runner = runner;
    this.#settings = settings;
    this.#onClosed = onClosed;
    this.#origin = { transport: 'websocket', socket: rawSocket };
    this.#rawSocket = typeof rawSocket.cork === 'function' ? rawSocket : undefined;
    this.#backpressure = new AnswerBackpressure(
      {
        unsentBytes: () => socket.bufferedAmount,
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        drop: () => socket.terminate(),
      },
      settings.maxBufferedBytesPerConnection,
      settings.bufferedTimeout,
    );
    this.#idleTimer = unrefTimer(this.#onIdle, settings.idleTimeout);
    // Before ws's own listener, so that a chunk completing a message clears the timer after this arms it.
    rawSocket.prependListener('data', this.#onBytes);
    socket.on('message', this.#onMessage);
    socket.on('ping', this.#onComplete);
    socket.on('pong', this.#onComplete);
    // Answers sent while the socket was backed up carry a callback; this covers the last of them.
    rawSocket.on('drain', this.#onSent);
    socket.on('close', () => {
      rawSocket.off('data', this.#onBytes);
      rawSocket.off('drain', this.#onSent);
      if (this.#frameTimer !== undefined) clearTimeout(this.#frameTimer);
      clearTimeout(this.#idleTimer);
      this.#backpressure.close();
      this.#wakeProgress();
      const gone = new ComputeError({ code: 'TASK_ABORTED', message: 'The caller closed the WebSocket', backend: 'server' });
      for (const stop of this.#calls.values()) stop.stop(gone);
      this.#calls.clear();
      this.#onClosed();
    });
    socket.on('error', () => {
      // ws closes the socket itself (oversized message: 1009; bad frame: 1002); 'close' cleans up.
    });
  }

  /** Calls of this socket, waiting or running. */
  get calls(): number {
    return this.#calls.size;
  }

  /**
   * One heartbeat tick: drops the peer if it has not answered the last ping,
   * else pings it. A paused socket is left to the backpressure timeout: its
   * pong could not be read.
   */
  heartbeat(): void {
    if (this.#backpressure.paused) return;
    if (!this.#alive) {
      this.#socket.terminate();
      return;
    }
    this.#alive = false;
    this.#socket.ping();
  }

  readonly #onBytes = (): void => {
    if (this.#partialSince !== undefined) return;
    this.#partialSince = performance.now();
    this.#frameTimer ??= unrefTimer(this.#onFrameTimer, this.#settings.frameTimeout);
  };

  readonly #onFrameTimer = (): void => {
    this.#frameTimer = undefined;
    if (this.#partialSince === undefined) return;
    // While paused the server is the one not reading: the frame cannot complete; backpressure has its own timeout.
    if (this.#backpressure.paused) this.#partialSince = performance.now();
    const left = this.#partialSince + this.#settings.frameTimeout - performance.now();
    if (left > 1) this.#frameTimer = unrefTimer(this.#onFrameTimer, left);
    else this.#socket.terminate();
  };

  /**
   * A whole message, ping or pong arrived: nothing is half-received, and the
   * peer is alive. Only messages count against idleness: pings and pongs
   * would keep an unused socket open for ever.
   */
  readonly #onComplete = (): void => {
    this.#alive = true;
    this.#partialSince = undefined;
  };

  readonly #onIdle = (): void => {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    const left = this.#lastActivity + this.#settings.idleTimeout - performance.now();
    if (this.#calls.size > 0 || left > 1) {
      this.#idleTimer = unrefTimer(this.#onIdle, this.#calls.size > 0 ? this.#settings.idleTimeout : left);
      return;
    }
    this.#socket.close(1000, 'idle');
  };

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
    this.#onComplete();
    this.#lastActivity = performance.now();
    let frame: unknown;
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      // A JSON socket reads text in either kind of frame; a MessagePack socket reads binary frames.
      frame = this.#codec.decode(isBinary || this.#codec === jsonCodec ? bytes : bytes.toString());
    } catch {
      return this.#sendError(null, refusal('INVALID_REQUEST', `The frame is not valid ${this.#codec === jsonCodec ? 'JSON' : 'MessagePack'}`));
    }
    const id = typeof frame === 'object' && frame !== null && Object.hasOwn(frame, 'id') ? (frame as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      return this.#sendError(null, refusal('INVALID_REQUEST', "The frame's 'id' must be a string or a number"));
    }
    if ((frame as { cancel?: unknown }).cancel === true) {
      this.#calls.get(id)?.stop(new ComputeError({ code: 'TASK_ABORTED', message: 'The caller cancelled the call', backend: 'server' }));
      return;
    }
    if (Object.hasOwn(frame as object, 'credit')) {
      this.#streams?.get(id)?.grant((frame as { credit?: unknown }).credit);
      return;
    }
    const call = parseCall(frame);
    if (ComputeError.isInstance(call)) return this.#sendError(id, call);
    call.trace = traceContextOfFrame(frame as object);
    if (this.#calls.has(id)) {
      // No `id`: the answer must not be taken for the running call's (protocol decision 4).
      const { body } = errorBodyOf(refusal('INVALID_REQUEST', `A call with id ${JSON.stringify(id)} is already running`, call.task), this.#settings.debug);
      return this.#send(this.#codec.encode({ duplicateId: id, ...body }));
    }
    const stop = new CallStop();
    this.#calls.set(id, stop);
    const timeout = parseDeadline((frame as { timeout?: unknown }).timeout);
    this.#backpressure.submit(() => void this.#run(id, call, timeout, stop));
  };

  async #run(id: WireCallId, call: ParsedCall, timeout: number | undefined, stop: CallStop): Promise<void> {
    const started = this.#runner.callStarted(this.#origin);
    const outlet = call.progress === true ? this.#progressOutlet(id) : undefined;
    const onProgress = outlet === undefined ? undefined : this.#progressSender(outlet, call.task, stop);
    const outcome = call.stream === undefined ? await this.#runner.run(call, timeout, stop, onProgress) : await this.#runStream(id, call, timeout, stop, onProgress, outlet);
    this.#runner.answered(call, this.#answer(id, call, stop, outcome, outlet), started, this.#origin);
  }

  /** Sends a settled call's last frame, if its caller still waits for one (the progress held for it first): returns what the caller got. */
  #answer(id: WireCallId, call: ParsedCall, stop: CallStop, outcome: CallOutcome, outlet: ProgressOutlet | undefined): CallOutcome {
    this.#calls.delete(id);
    if (this.#calls.size === 0) this.#lastActivity = performance.now();
    // A cancelled call's caller has stopped waiting: no answer.
    if (this.#socket.readyState !== this.#socket.OPEN || stop.reason?.code === 'TASK_ABORTED') {
      outlet?.close();
      this.#backpressure.answered(0);
      return outcome;
    }
    // The last value reported goes before the answer.
    outlet?.flush();
    let frame: string | Uint8Array;
    let answered = outcome;
    if (outcome.ok && call.stream !== undefined) {
      frame = this.#codec.encode({ id, end: true });
    } else if (outcome.ok) {
      const answer = encodeAnswer(this.#codec, { id, result: outcome.result }, call.task);
      if (!answer.ok) answered = { ok: false, error: answer.error };
      frame = answer.ok ? answer.data : this.#errorFrame(id, answer.error);
    } else {
      frame = this.#errorFrame(id, outcome.error);
    }
    this.#send(frame);
    this.#backpressure.answered(typeof frame === 'string' ? frame.length : frame.byteLength);
    return answered;
  }

  async #runStream(
    id: WireCallId,
    call: ParsedCall,
    timeout: number | undefined,
    stop: CallStop,
    onProgress: ((value: unknown) => Promise<void> | undefined) | undefined,
    outlet: ProgressOutlet | undefined,
  ): Promise<CallOutcome> {
    // A progress value held back goes before the chunk after it: the call's frames keep their order.
    const send = outlet === undefined ? (data: string | Uint8Array) => this.#send(data) : (data: string | Uint8Array) => (outlet.sendHeld(), this.#send(data));
    const sink = new WebSocketStreamSink(id, call.task, call.stream === true ? 1 : (call.stream as number), this.#codec, send);
    this.#streams ??= new Map();
    this.#streams.set(id, sink);
    try {
      return await this.#runner.stream(call, timeout, stop, sink, onProgress);
    } finally {
      this.#streams.delete(id);
    }
  }

  // `{ id, progress }` frames while the call runs; a value the socket's encoding cannot carry fails the call.
  #progressSender(outlet: ProgressOutlet, taskName: string, stop: CallStop): (value: unknown) => Promise<void> | undefined {
    return (value) => {
      if (stop.reason !== undefined) return undefined;
      const mismatch = streamValueMismatch(this.#codec, value, 'progress');
      if (mismatch === undefined) return outlet.push(value);
      stop.stop(notCarriedError(taskName, mismatch));
      return undefined;
    };
  }

  #progressOutlet(id: WireCallId): ProgressOutlet {
    return new ProgressOutlet(
      (value) => this.#send(this.#codec.encode({ id, progress: value })),
      // Not on Bun: its ws reports a bufferedAmount whose drain the server is never told of, so a waiting task would hang.
      () =>
        runsOnBun || this.#socket.readyState !== this.#socket.OPEN || this.#socket.bufferedAmount <= progressWindowBytes
          ? undefined
          : new Promise<void>((resolve) => (this.#progressWaiters ??= []).push(resolve)),
    );
  }

  #wakeProgress(): void {
    const waiters = this.#progressWaiters;
    if (waiters === undefined || waiters.length === 0) return;
    this.#progressWaiters = undefined;
    for (const wake of waiters) wake();
  }

  #errorFrame(id: WireCallId | null, error: unknown): string | Uint8Array {
    const { body } = errorBodyOf(error, this.#settings.debug);
    return this.#codec.encode({ id, ...body });
  }

  #sendError(id: WireCallId | null, error: unknown): void {
    this.#send(this.#errorFrame(id, error));
  }

  #send(frame: string | Uint8Array): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    // The frames sent in one tick (the answers to a burst of calls) leave in one write, not one each.
    if (this.#corkedBackedUp === undefined && this.#rawSocket !== undefined) {
      this.#corkedBackedUp = this.#socket.bufferedAmount > 0;
      this.#rawSocket.cork();
      process.nextTick(this.#uncork);
    }
    // A callback (run once the bytes reach the kernel) only while the socket is backed up: it costs, and is needed only then.
    // Corked frames count as buffered, so "backed up" is what the socket was when this tick's first frame went.
    const backedUp = (this.#corkedBackedUp ?? this.#socket.bufferedAmount > 0) || this.#backpressure.paused;
    this.#socket.send(frame, backedUp ? this.#onSent : undefined);
  }

  readonly #uncork = (): void => {
    this.#corkedBackedUp = undefined;
    this.#rawSocket?.uncork();
  };

  readonly #onSent = (): void => {
    this.#backpressure.drained();
    if (this.#progressWaiters !== undefined && this.#socket.bufferedAmount <= progressWindowBytes) this.#wakeProgress();
  };
}

function unrefTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return timer;
}
