const retryAfterOf = new WeakMap<object, string>();

/** Keeps an answer's `Retry-After` with the error it became, for {@link retryDelay}. */
export function rememberRetryAfter(error: object, retryAfter: string | undefined): void {
  if (retryAfter !== undefined) retryAfterOf.set(error, retryAfter);
}

/**
 * How long to wait before retry number `attempt` (1, 2, ...) after `error`:
 * the answer's `Retry-After`, in seconds or as an HTTP date, capped at 5 s
 * (a deadline decides how long is worth waiting); else an exponential backoff
 * from 100 ms, capped at 2 s.
 *
 * @example
 * ```ts
 * retryDelay(new Error('reset'), 1); // 100
 * ```
 */
export function retryDelay(error: unknown, attempt: number, now = Date.now()): number {
  const header = typeof error === 'object' && error !== null ? retryAfterOf.get(error) : undefined;
  if (header !== undefined) {
    const trimmed = header.trim();
    const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
    if (Number.isFinite(ms)) return Math.min(Math.max(ms, 0), 5_000);
  }
  return Math.min(50 * 2 ** attempt, 2_000);
}
