/**
 * Bounds how long Redis may take to accept each job: a call not accepted
 * within `bound` milliseconds of joining is handed to `onLate`. The bound is
 * the same for every call, so the calls wait in the order they joined and
 * one timer serves them all. The timer does not keep the process alive: each
 * call's own deadline does.
 */
export class AcceptanceWatch<Call> {
  readonly bound: number;
  readonly #onLate: (call: Call) => void;
  // Insertion order is due order: every call waits the same bound.
  readonly #due = new Map<Call, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(bound: number, onLate: (call: Call) => void) {
    this.bound = bound;
    this.#onLate = onLate;
  }

  /** How many calls are being watched. */
  get size(): number {
    return this.#due.size;
  }

  add(call: Call): void {
    this.#due.set(call, Date.now() + this.bound);
    if (this.#timer === undefined) this.#schedule(this.bound);
  }

  /** The call was accepted or settled: stop watching it. */
  delete(call: Call): void {
    this.#due.delete(call);
  }

  clear(): void {
    this.#due.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(this.#fire, ms);
    this.#timer.unref?.();
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = Date.now();
    for (const [call, due] of this.#due) {
      if (due > now) {
        this.#schedule(due - now);
        return;
      }
      this.#due.delete(call);
      this.#onLate(call);
    }
  };
}
