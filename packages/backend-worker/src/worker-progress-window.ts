/**
 * Progress values of one call a worker may have posted that the pool has not
 * yet handed to the caller's `onProgress` (and, when that returns a promise,
 * seen settle). Past it the worker holds back, and the pool acknowledges
 * every {@link progressAckEvery} values delivered.
 */
export const progressWindow = 64;

/** The pool acknowledges a call's progress in batches of this many values (half the window). */
export const progressAckEvery = progressWindow / 2;

/**
 * Flow control for one call's `ctx.progress` inside a worker. Up to
 * {@link progressWindow} values go at once; then the worker waits for the
 * pool's acknowledgement, and values reported meanwhile replace each other
 * (latest wins), so a task reporting in a tight loop holds one value, not a
 * million messages in the pool's queue. {@link WorkerProgressWindow.report}
 * answers the promise of that wait: a task that awaits it loses no value.
 * {@link WorkerProgressWindow.flush} posts the value held before the call's
 * answer goes, so the last value reported arrives, and before the result.
 * Internal.
 */
export class WorkerProgressWindow {
  readonly #post: (value: unknown) => void;
  #unacknowledged = 0;
  #held: unknown;
  #holding = false;
  #waiting: Promise<void> | undefined;
  #release: (() => void) | undefined;
  // A held value that could not be posted: thrown by the next report, as an immediate one would be.
  #failure: unknown;

  /** @param post - posts one value to the pool; throws when it cannot be cloned. */
  constructor(post: (value: unknown) => void) {
    this.#post = post;
  }

  report(value: unknown): Promise<void> {
    if (this.#failure !== undefined) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    if (this.#waiting !== undefined) {
      this.#held = value;
      this.#holding = true;
      return this.#waiting;
    }
    this.#post(value);
    if (++this.#unacknowledged < progressWindow) return settledProgress;
    this.#waiting = new Promise<void>((resolve) => (this.#release = resolve));
    return this.#waiting;
  }

  /** The pool delivered `count` more values. */
  acknowledge(count: number): void {
    this.#unacknowledged = Math.max(0, this.#unacknowledged - count);
    if (this.#waiting === undefined) return;
    if (this.#holding) {
      this.#postHeld();
      if (++this.#unacknowledged >= progressWindow) return;
    }
    this.#open();
  }

  /** Something else of the call (a chunk) is about to go: the value held goes first, counted in the window. */
  sendHeld(): void {
    if (!this.#holding) return;
    this.#postHeld();
    this.#unacknowledged++;
  }

  /** The call is answering: the value held goes first; a task still waiting goes on. */
  flush(): void {
    if (this.#holding) this.#postHeld();
    this.#open();
  }

  #postHeld(): void {
    const value = this.#held;
    this.#holding = false;
    this.#held = undefined;
    try {
      this.#post(value);
    } catch (error) {
      this.#failure = error;
    }
  }

  #open(): void {
    this.#waiting = undefined;
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

// One settled promise for every value that goes at once: reporting allocates nothing.
const settledProgress: Promise<void> = Promise.resolve();

/**
 * The pool's side: hands a progress value to the caller's `onProgress` and
 * counts it delivered (once a promise it returned settles: that is how a
 * relay such as the server paces the task), calling `acknowledge` with a
 * count every {@link progressAckEvery} values.
 */
export function deliverProgress(state: { onProgress: ((value: unknown) => void) | undefined; progressDelivered: number }, value: unknown, acknowledge: (count: number) => void): void {
  let paced: unknown;
  try {
    paced = state.onProgress?.(value);
  } catch {
    // The caller's progress callback failing is the caller's business; the call goes on.
  }
  const delivered = (): void => {
    if (++state.progressDelivered < progressAckEvery) return;
    const count = state.progressDelivered;
    state.progressDelivered = 0;
    acknowledge(count);
  };
  if (typeof paced === 'object' && paced !== null && typeof (paced as { then?: unknown }).then === 'function') (paced as PromiseLike<unknown>).then(delivered, delivered);
  else delivered();
}
