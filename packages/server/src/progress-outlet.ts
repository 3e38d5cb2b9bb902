/**
 * Flow control for one call's progress values on their way to a connection.
 *
 * A value is sent at once while the connection has room (`room()` answers
 * `undefined`). Once it has none, the outlet waits for it, and values that
 * come meanwhile are not sent: each replaces the one before (latest wins), so
 * a task reporting in a tight loop holds one value here, not a million. When
 * the room comes back, the value held goes out. {@link ProgressOutlet.push}
 * answers the promise of that wait, which the task's `ctx.progress` returns:
 * a task that awaits it is paced by the connection and loses no value.
 * {@link ProgressOutlet.flush} sends the value held before the call's last
 * answer, so the last value reported always arrives, and before the result.
 *
 * The window is the connection's: an HTTP answer's writable buffer up to its
 * `highWaterMark`, a WebSocket's `bufferedAmount` up to
 * {@link progressWindowBytes}. Internal.
 */
export class ProgressOutlet {
  readonly #send: (value: unknown) => void;
  readonly #room: () => Promise<void> | undefined;
  #held: unknown;
  #holding = false;
  #waiting: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #closed = false;

  /**
   * @param send - writes one value to the connection.
   * @param room - `undefined` while the connection has room, else a promise that settles once it may have.
   */
  constructor(send: (value: unknown) => void, room: () => Promise<void> | undefined) {
    this.#send = send;
    this.#room = room;
  }

  /** Sends `value`, or holds it while the connection is full; the promise settles (never rejects) once the connection has room. */
  push(value: unknown): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#waiting !== undefined) {
      this.#held = value;
      this.#holding = true;
      return this.#waiting;
    }
    this.#send(value);
    const room = this.#room();
    if (room === undefined) return undefined;
    this.#waiting = new Promise<void>((resolve) => (this.#release = resolve));
    void room.then(this.#onRoom);
    return this.#waiting;
  }

  /** Something else of the call (a chunk) is about to go: the value held goes first, so the call's records keep their order. */
  sendHeld(): void {
    if (!this.#holding) return;
    const value = this.#held;
    this.#holding = false;
    this.#held = undefined;
    this.#send(value);
  }

  /** The call is answering: the value held goes now, ahead of the answer, and nothing more is taken. */
  flush(): void {
    if (this.#closed) return;
    if (this.#holding) this.#send(this.#held);
    this.close();
  }

  /** The call ended without an answer to send (stopped, connection gone): the value held is dropped, waiters are released. */
  close(): void {
    this.#closed = true;
    this.#holding = false;
    this.#held = undefined;
    this.#waiting = undefined;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  readonly #onRoom = (): void => {
    if (this.#closed) return;
    if (this.#holding) {
      const value = this.#held;
      this.#holding = false;
      this.#held = undefined;
      this.#send(value);
      if (this.#closed) return;
      const room = this.#room();
      // Still full after that value: keep the task waiting on the same promise.
      if (room !== undefined) {
        void room.then(this.#onRoom);
        return;
      }
    }
    this.#waiting = undefined;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  };
}

/**
 * Bytes a WebSocket may have unsent (`bufferedAmount`) and still take a
 * progress value at once; past it the values of its calls wait in their
 * {@link ProgressOutlet}, coalesced.
 */
export const progressWindowBytes = 64 * 1024;
