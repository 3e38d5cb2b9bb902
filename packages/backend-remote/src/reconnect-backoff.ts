const maxBackoffMs = 5_000;

/**
 * When a WebSocket may be opened again after failed attempts: each failure
 * doubles the wait (100 ms, 200 ms, ... up to 5 s), and calls in that window
 * fail at once with the last failure, so a router falls back instead of waiting.
 */
export class ReconnectBackoff {
  #failures = 0;
  #retryAt = 0;
  #lastError: unknown;

  /** An attempt to open failed with `error`. */
  failed(error: unknown, now = Date.now()): void {
    this.#failures++;
    this.#retryAt = now + Math.min(50 * 2 ** this.#failures, maxBackoffMs);
    this.#lastError = error;
  }

  /** A socket opened: the next failure starts from the shortest wait again. */
  succeeded(): void {
    this.#failures = 0;
    this.#retryAt = 0;
    this.#lastError = undefined;
  }

  /** The last failure while the backoff lasts, `undefined` once it may be tried again. */
  refusal(now = Date.now()): unknown {
    return now < this.#retryAt ? this.#lastError : undefined;
  }
}
