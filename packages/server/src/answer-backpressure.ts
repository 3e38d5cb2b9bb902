/** What {@link AnswerBackpressure} needs from one connection. */
export interface BackpressuredConnection {
  /** Answer bytes written for this connection but not yet taken by the kernel. */
  unsentBytes(): number;
  /** Stop reading the connection's requests or frames. */
  pause(): void;
  /** Read them again. */
  resume(): void;
  /** The connection stayed paused, its answers not read, past the timeout: drop it. */
  drop(): void;
}

/** Requests or frames one connection may have waiting before it is dropped. */
export const maxWaitingPerConnection = 4096;

/**
 * Backpressure on the way out, for one connection: a request or frame
 * starts its call only while the connection's unsent answers, counting an
 * estimate for the calls already running, stay under `maxBufferedBytes`;
 * otherwise it waits here and the connection is paused, so a client that
 * does not read cannot make the server hold more than about twice the bound
 * (plus the few requests already parsed). Waiting requests start, in order,
 * as the answers drain. A connection that stays paused for
 * `bufferedTimeout` ms without an answer byte leaving is dropped: its client
 * has stopped reading.
 *
 * The estimate for a running call is the size of the connection's recent
 * answers (a moving average), so a burst of small frames asking for large
 * answers does not start hundreds of calls before the first answer is
 * written; before any answer it is an eighth of the bound.
 *
 * A connection with more than {@link maxWaitingPerConnection} requests or
 * frames waiting is dropped at once. Where pausing stops the reading (Node,
 * Bun) the waiting ones are at most what one read had already taken in, far
 * fewer; Deno's `node:http` keeps parsing the requests of a paused
 * connection, and there this bound is what keeps a client that pipelines
 * without reading from filling the server's memory.
 */
export class AnswerBackpressure {
  readonly #connection: BackpressuredConnection;
  readonly #maxBufferedBytes: number;
  readonly #bufferedTimeout: number;
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #answerEstimate: number;
  #paused = false;
  #stuckTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(connection: BackpressuredConnection, maxBufferedBytes: number, bufferedTimeout: number) {
    this.#connection = connection;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#bufferedTimeout = bufferedTimeout;
    this.#answerEstimate = Math.ceil(maxBufferedBytes / 8);
  }

  /** Calls started through {@link AnswerBackpressure.submit} that have not {@link AnswerBackpressure.answered}. */
  get running(): number {
    return this.#running;
  }

  /** Requests or frames waiting for the connection to drain. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Whether reading is paused now. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Runs `start` now if the connection is under its bound, or when it drains. `start` must end in {@link AnswerBackpressure.answered}. */
  submit(start: () => void): void {
    if (this.#closed) return;
    if (this.#waiting.length === 0 && this.#hasRoom()) {
      this.#running++;
      start();
      return;
    }
    if (this.#waiting.length >= maxWaitingPerConnection) {
      this.close();
      this.#connection.drop();
      return;
    }
    this.#waiting.push(start);
    this.#pause();
  }

  /** A started call ended, with an answer of `bytes` written (0: none). */
  answered(bytes: number): void {
    this.#running = Math.max(0, this.#running - 1);
    // A moving average of the last few answers: one large answer does not throttle the connection for good.
    if (bytes > 0) this.#answerEstimate += (bytes - this.#answerEstimate) / 4;
    this.#reevaluate(false);
  }

  /** Answer bytes left for the kernel: the client is reading. Starts what waits, resumes reading when there is room. */
  drained(): void {
    this.#reevaluate(true);
  }

  /** The connection closed: forget what waits, stop the timer. */
  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
    if (this.#stuckTimer !== undefined) clearTimeout(this.#stuckTimer);
    this.#stuckTimer = undefined;
  }

  #hasRoom(): boolean {
    return this.#connection.unsentBytes() + this.#running * this.#answerEstimate <= this.#maxBufferedBytes;
  }

  #reevaluate(progress: boolean): void {
    if (this.#closed) return;
    while (this.#waiting.length > 0 && this.#hasRoom()) {
      this.#running++;
      (this.#waiting.shift() as () => void)();
      if (this.#closed) return;
    }
    if (this.#waiting.length > 0 || this.#connection.unsentBytes() > this.#maxBufferedBytes) {
      this.#pause();
      if (progress) this.#stuckTimer?.refresh();
    } else if (this.#paused) {
      this.#paused = false;
      if (this.#stuckTimer !== undefined) clearTimeout(this.#stuckTimer);
      this.#stuckTimer = undefined;
      this.#connection.resume();
    }
  }

  #pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#connection.pause();
    this.#stuckTimer = setTimeout(() => this.#drop(), this.#bufferedTimeout);
    this.#stuckTimer.unref();
  }

  #drop(): void {
    this.#stuckTimer = undefined;
    if (this.#closed) return;
    this.close();
    this.#connection.drop();
  }
}
