import type { Queue } from 'bullmq';
import { jobOutcomeOf } from './job-outcome-of.js';
import type { JobWaiters } from './job-waiters.js';

function ignore(): void {}

/**
 * Asks Redis about jobs instead of relying on their events alone. Events
 * can be missed: BullMQ trims its events stream (10,000 entries by
 * default), which a busy queue fills in seconds, and a job can vanish
 * without one (a drain, keys deleted by hand). Every `interval`, the calls
 * that have waited that long look their job up.
 */
export class JobRecheck {
  readonly #queue: Queue;
  readonly #waiters: JobWaiters;
  readonly #interval: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(queue: Queue, waiters: JobWaiters, interval: number) {
    this.#queue = queue;
    this.#waiters = waiters;
    this.#interval = interval;
  }

  /** Makes sure a recheck is coming: call it when a call starts waiting. */
  schedule(): void {
    if (this.#timer !== undefined || this.#stopped) return;
    this.#timer = setTimeout(this.#recheck, this.#interval);
    // The calls' own deadlines keep the process alive; this timer must not.
    this.#timer.unref?.();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Looks up every job Redis has accepted: after the events stopped for a while, any of them may have finished. */
  all(): void {
    for (const [jobId, calls] of this.#waiters.entries()) if (calls[0]?.state.accepted === true) this.settleIfFinished(jobId);
  }

  /**
   * A 'removed' event may be about an earlier job under the same id (an
   * idempotency key used again right after its job was cancelled): settle
   * only if the job is still gone. The next recheck covers a failed look-up.
   */
  confirmRemoved(jobId: string): void {
    if (!this.#waiters.has(jobId)) return;
    this.#queue.client
      .then((client) => client.hexists(this.#queue.toKey(jobId), 'timestamp'))
      .then((exists) => {
        if (exists === 0) this.#waiters.removed(jobId);
      })
      .then(ignore, ignore);
  }

  /** Settles the calls of a job that finished, from what Redis holds about it. Best effort: never rejects. */
  settleIfFinished(jobId: string): void {
    this.#queue.client
      .then((client) => client.hmget(this.#queue.toKey(jobId), 'timestamp', 'finishedOn', 'returnvalue', 'failedReason'))
      .then((fields) => {
        const calls = this.#waiters.get(jobId);
        const first = calls?.[0];
        if (calls === undefined || first === undefined) return;
        const outcome = jobOutcomeOf(fields);
        if (outcome.kind === 'gone') {
          // Gone without a 'removed' event: no result will come. Once is not enough: with
          // removeOnComplete, a finished job's event may still be on its way.
          if (!first.state.accepted) return;
          if (first.state.missing) this.#waiters.removed(jobId);
          else for (const call of calls) call.state.missing = true;
          return;
        }
        first.state.missing = false;
        if (outcome.kind === 'failed') this.#waiters.failed(jobId, outcome.failedReason);
        else if (outcome.kind === 'completed') this.#waiters.completed(jobId, outcome.returnvalue);
      })
      .then(ignore, ignore);
  }

  readonly #recheck = (): void => {
    this.#timer = undefined;
    if (this.#stopped || this.#waiters.jobs === 0) return;
    const cutoff = Date.now() - this.#interval;
    for (const [jobId, calls] of this.#waiters.entries()) {
      const first = calls[0];
      if (first !== undefined && first.state.accepted && first.state.since <= cutoff) this.settleIfFinished(jobId);
    }
    this.schedule();
  };
}
