import type { CancelCode } from './cancel-channel.js';

/** A cancel request for a job not running here (yet): why, when it was sent, and when it arrived. */
export interface PendingCancel {
  readonly code: CancelCode;
  readonly sentAt: number;
  readonly arrivedAt: number;
}

/**
 * The cancel requests a worker heard for jobs it was not running: a cancel
 * can arrive just before the job it names starts here. Each is kept for
 * `keepMs` after it arrived, then forgotten.
 */
export class PendingCancels {
  readonly #keepMs: number;
  // Oldest first: a Map keeps insertion order, and every entry is re-inserted when it comes again.
  readonly #byJob = new Map<string, PendingCancel>();

  constructor(keepMs: number) {
    this.#keepMs = keepMs;
  }

  get size(): number {
    return this.#byJob.size;
  }

  remember(jobId: string, code: CancelCode, sentAt: number, now = Date.now()): void {
    for (const [id, entry] of this.#byJob) {
      if (now - entry.arrivedAt < this.#keepMs) break;
      this.#byJob.delete(id);
    }
    this.#byJob.delete(jobId);
    this.#byJob.set(jobId, { code, sentAt, arrivedAt: now });
  }

  /**
   * The cancel for a job that is starting, if one came for it; it is
   * forgotten either way. A cancel sent before the job was created
   * (`createdAt`) was meant for an earlier job under the same id (an
   * idempotency key used again), and is not returned.
   */
  take(jobId: string, createdAt: number, now = Date.now()): PendingCancel | undefined {
    const entry = this.#byJob.get(jobId);
    if (entry === undefined) return undefined;
    this.#byJob.delete(jobId);
    if (now - entry.arrivedAt >= this.#keepMs || createdAt >= entry.sentAt) return undefined;
    return entry;
  }
}
