/**
 * Flow control for one call's progress values on their way to a connection.
 *
 * A value is sent at once while the connection has room (`room()` answers
 * `undefined`). Once it has none, the outlet waits for it, and holds the
 * values that come meanwhile, in order, up to {@link maxHeldProgress}; past
 * that each new value replaces the newest one held (latest wins), so a task
 * reporting in a tight loop costs {@link maxHeldProgress} values here, not
 * a million. As the room comes back the values held go out, in order.
 * {@link ProgressOutlet.push} answers the promise of that wait, which the
 * task's `ctx.progress` returns: a task that awaits it is paced by the
 * connection and loses no value. The values held are as many as a worker
 * pool sends without waiting (its window is 64 too), so a task on a worker
 * behind the server that awaits its progress loses none either.
 * {@link ProgressOutlet.flush} sends what is held before the call's last
 * answer, so the last value reported always arrives, and before the result.
 *
 * The window is the connection's: an HTTP answer's writable buffer up to its
 * `highWaterMark`, a WebSocket's `bufferedAmount` up to
 * {@link progressWindowBytes}. Internal.
 */
export class ProgressOutlet {
  readonly #send: (value: unknown) => void;
  readonly #room: () => Promise<void> | undefined;
  readonly #held: unknown[] = [];
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

  /** Sends `value`, or holds it while the connection is full; the promise settles (never rejects) once what is held has gone. */
  push(value: unknown): Promise<void> | undefined {
    if (this.#closed) return undefined;
    if (this.#waiting !== undefined) {
      if (this.#held.length < maxHeldProgress) this.#held.push(value);
      else this.#held[this.#held.length - 1] = value;
      return this.#waiting;
    }
    this.#send(value);
    const room = this.#room();
    if (room === undefined) return undefined;
    this.#waiting = new Promise<void>((resolve) => (this.#release = resolve));
    void room.then(this.#onRoom);
    return this.#waiting;
  }

  /** Something else of the call (a chunk) is about to go: what is held goes first, so the call's records keep their order. */
  sendHeld(): void {
    const held = this.#held;
    for (let index = 0; index < held.length; index++) this.#send(held[index]);
    held.length = 0;
  }

  /** The call is answering: what is held goes now, ahead of the answer, and nothing more is taken. */
  flush(): void {
    if (this.#closed) return;
    this.sendHeld();
    this.close();
  }

  /** The call ended without an answer to send (stopped, connection gone): what is held is dropped, waiters are released. */
  close(): void {
    this.#closed = true;
    this.#held.length = 0;
    this.#waiting = undefined;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }

  readonly #onRoom = (): void => {
    if (this.#closed) return;
    const held = this.#held;
    while (held.length > 0) {
      this.#send(held.shift());
      if (this.#closed) return;
      const room = this.#room();
      // Full again: the rest waits, and so does the task, on the same promise.
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
 * Progress values of one call the server holds while its connection is
 * full; past it they are coalesced (the newest replaces the newest held).
 */
export const maxHeldProgress = 64;

/**
 * Bytes a WebSocket may have unsent (`bufferedAmount`) and still take a
 * progress value at once; past it the values of its calls wait in their
 * {@link ProgressOutlet}.
 */
export const progressWindowBytes = 64 * 1024;
