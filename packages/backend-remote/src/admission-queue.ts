/**
 * The calls one endpoint may have in flight, and the queue of those waiting
 * for room. The limit is the server's advertised `maxConcurrency` (learned
 * from `GET /tasks` or the `x-compute-max-concurrency` header), so the
 * client holds back what the server would refuse, as an HTTP/2 client keeps
 * to `MAX_CONCURRENT_STREAMS`.
 *
 * A call the server refused anyway (`QUEUE_FULL`: its limit is shared with
 * other clients) goes back to the front, and nothing more is admitted until
 * one of this endpoint's calls finishes.
 */
export class AdmissionQueue<Item> {
  /** Calls admitted and not finished. */
  inFlight = 0;
  #limit: number;
  #advertised = false;
  // Requeued after QUEUE_FULL: they go before the others.
  readonly #front: Item[] = [];
  readonly #waiting = new Set<Item>();
  #held = false;

  constructor(defaultLimit: number) {
    this.#limit = defaultLimit;
  }

  /** The number of calls admitted at once. */
  get limit(): number {
    return this.#limit;
  }

  /** Whether the limit came from the server. */
  get advertised(): boolean {
    return this.#advertised;
  }

  /** Calls waiting for room. */
  get queued(): number {
    return this.#front.length + this.#waiting.size;
  }

  /** Takes the server's advertised limit; anything not a positive integer is ignored. */
  learn(limit: number | undefined): void {
    if (limit === undefined || !Number.isSafeInteger(limit) || limit < 1) return;
    this.#limit = limit;
    this.#advertised = true;
  }

  /** Admits one call at once when there is room and nobody waits before it. */
  tryAdmit(): boolean {
    if (this.#held || this.inFlight >= this.#limit || this.queued > 0) return false;
    this.inFlight++;
    return true;
  }

  /** Queues a call behind the others. */
  enqueue(item: Item): void {
    this.#waiting.add(item);
  }

  /** Takes a waiting call out of the queue (its deadline passed); `false` if it was not waiting. */
  remove(item: Item): boolean {
    if (this.#waiting.delete(item)) return true;
    const index = this.#front.indexOf(item);
    if (index === -1) return false;
    this.#front.splice(index, 1);
    return true;
  }

  /** The next waiting call, admitted, when there is room; `undefined` otherwise. */
  admitNext(): Item | undefined {
    if (this.#held || this.inFlight >= this.#limit || this.#waiting.size + this.#front.length === 0) return undefined;
    let item = this.#front.shift();
    if (item === undefined) {
      const first = this.#waiting.values().next();
      if (first.done === true) return undefined;
      item = first.value;
      this.#waiting.delete(item);
    }
    this.inFlight++;
    return item;
  }

  /** An admitted call finished (answered, failed, timed out): room for the next, and a hold ends. */
  finished(): void {
    if (this.inFlight > 0) this.inFlight--;
    this.#held = false;
  }

  /**
   * An admitted call was refused with `QUEUE_FULL`. Returns `true` when it
   * went back to the front of the queue, held until one of the endpoint's
   * other calls finishes; `false` when none is in flight (nothing would wake
   * it: the caller gets the refusal, and a hold ends, since no call is left
   * whose end would end it: the caller wakes the queue). Without an advertised
   * limit, the limit shrinks to what the server took.
   */
  refused(item: Item): boolean {
    if (this.inFlight > 0) this.inFlight--;
    if (this.inFlight === 0) {
      this.#held = false;
      return false;
    }
    if (!this.#advertised) this.#limit = Math.max(1, this.inFlight);
    this.#held = true;
    this.#front.unshift(item);
    return true;
  }

  /** Empties the queue and hands back what was waiting. */
  drain(): Item[] {
    const items = [...this.#front, ...this.#waiting];
    this.#front.length = 0;
    this.#waiting.clear();
    return items;
  }
}
