import type { Duplex } from 'node:stream';
import { ComputeError, type WireCallId } from '@hybridcompute/core';
import type { RawData, WebSocket } from 'ws';
import { AnswerBackpressure } from './answer-backpressure.js';
import type { CallRunner } from './call-runner.js';
import { CallStop } from './call-stop.js';
import type { ServerSettings } from './compute-server-options.js';
import { errorBodyOf, refusal } from './error-body-of.js';
import { parseCall, parseDeadline, type ParsedCall } from './parse-call.js';

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
 *   did not answer the previous ping.
 */
export class WebSocketConnection {
  readonly #socket: WebSocket;
  readonly #runner: CallRunner;
  readonly #settings: ServerSettings;
  readonly #backpressure: AnswerBackpressure;
  // Every call the client started and has not been answered, waiting or running, with its stop switch.
  readonly #calls = new Map<WireCallId, CallStop>();
  readonly #onClosed: () => void;
  readonly #idleTimer: ReturnType<typeof setTimeout>;
  #frameTimer: ReturnType<typeof setTimeout> | undefined;
  #alive = true;

  constructor(socket: WebSocket, rawSocket: Duplex, runner: CallRunner, settings: ServerSettings, onClosed: () => void) {
    this.#socket = socket;
    this.#runner = runner;
    this.#settings = settings;
    this.#onClosed = onClosed;
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
    this.#idleTimer = setTimeout(this.#onIdle, settings.idleTimeout);
    this.#idleTimer.unref();
    // Before ws's own listener, so that a chunk completing a message clears the timer after this arms it.
    rawSocket.prependListener('data', this.#onBytes);
    socket.on('message', this.#onMessage);
    socket.on('ping', this.#onComplete);
    socket.on('pong', this.#onComplete);
    socket.on('close', () => {
      rawSocket.off('data', this.#onBytes);
      this.#clearFrameTimer();
      clearTimeout(this.#idleTimer);
      this.#backpressure.close();
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
    if (this.#frameTimer !== undefined) return;
    this.#frameTimer = setTimeout(this.#onFrameTimeout, this.#settings.frameTimeout);
    this.#frameTimer.unref();
  };

  readonly #onFrameTimeout = (): void => {
    this.#frameTimer = undefined;
    // While paused the server is the one not reading: the frame cannot complete; backpressure has its own timeout.
    if (this.#backpressure.paused) return this.#onBytes();
    this.#socket.terminate();
  };

  /**
   * A whole message, ping or pong arrived: nothing is half-received, and the
   * peer is alive. Only messages count against idleness: pings and pongs
   * would keep an unused socket open for ever.
   */
  readonly #onComplete = (): void => {
    this.#alive = true;
    this.#clearFrameTimer();
  };

  #clearFrameTimer(): void {
    if (this.#frameTimer === undefined) return;
    clearTimeout(this.#frameTimer);
    this.#frameTimer = undefined;
  }

  readonly #onIdle = (): void => {
    if (this.#calls.size > 0 || this.#socket.readyState !== this.#socket.OPEN) {
      this.#idleTimer.refresh();
      return;
    }
    this.#socket.close(1000, 'idle');
  };

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
    this.#onComplete();
    this.#idleTimer.refresh();
    let frame: unknown;
    try {
      frame = JSON.parse(isBinary ? data.toString() : String(data));
    } catch {
      return this.#sendError(null, refusal('INVALID_REQUEST', 'The frame is not valid JSON'));
    }
    const id = typeof frame === 'object' && frame !== null && Object.hasOwn(frame, 'id') ? (frame as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) {
      return this.#sendError(null, refusal('INVALID_REQUEST', "The frame's 'id' must be a string or a number"));
    }
    if ((frame as { cancel?: unknown }).cancel === true) {
      this.#calls.get(id)?.stop(new ComputeError({ code: 'TASK_ABORTED', message: 'The caller cancelled the call', backend: 'server' }));
      return;
    }
    const call = parseCall(frame);
    if (ComputeError.isInstance(call)) return this.#sendError(id, call);
    if (this.#calls.has(id)) {
      // No `id`: the answer must not be taken for the running call's (protocol decision 4).
      const { body } = errorBodyOf(refusal('INVALID_REQUEST', `A call with id ${JSON.stringify(id)} is already running`, call.task), this.#settings.debug);
      return this.#send(JSON.stringify({ duplicateId: id, ...body }));
    }
    const stop = new CallStop();
    this.#calls.set(id, stop);
    const timeout = parseDeadline((frame as { timeout?: unknown }).timeout);
    this.#backpressure.submit(() => void this.#run(id, call, timeout, stop));
  };

  async #run(id: WireCallId, call: ParsedCall, timeout: number | undefined, stop: CallStop): Promise<void> {
    const outcome = await this.#runner.run(call, timeout, stop);
    this.#calls.delete(id);
    if (this.#calls.size === 0) this.#idleTimer.refresh();
    // A cancelled call's caller has stopped waiting: no answer.
    if (this.#socket.readyState !== this.#socket.OPEN || stop.reason?.code === 'TASK_ABORTED') {
      this.#backpressure.answered(0);
      return;
    }
    let json: string;
    if (outcome.ok) {
      try {
        json = JSON.stringify({ id, result: outcome.result });
      } catch (error) {
        json = this.#errorFrame(id, new ComputeError({ code: 'TASK_FAILED', message: `Task '${call.task}' returned a value that is not JSON`, taskName: call.task, backend: 'server', cause: error }));
      }
    } else {
      json = this.#errorFrame(id, outcome.error);
    }
    this.#send(json);
    this.#backpressure.answered(json.length);
  }

  #errorFrame(id: WireCallId | null, error: unknown): string {
    const { body } = errorBodyOf(error, this.#settings.debug);
    return JSON.stringify({ id, ...body });
  }

  #sendError(id: WireCallId | null, error: unknown): void {
    this.#send(this.#errorFrame(id, error));
  }

  #send(json: string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    // The callback runs once ws has handed the bytes to the kernel: the moment to start what waits.
    this.#socket.send(json, this.#onSent);
  }

  readonly #onSent = (): void => {
    this.#backpressure.drained();
  };
}
