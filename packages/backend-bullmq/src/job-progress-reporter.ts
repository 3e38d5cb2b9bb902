import { msgpackCodec } from '@hybridcompute/wire';
import { encodeJobValue } from './job-envelope.js';

/** The part of a BullMQ job that reporting progress uses. */
export interface ProgressTarget {
  updateProgress(progress: object): Promise<void>;
}

function ignore(): void {}

/**
 * Passes a running task's `ctx.progress` values on to its job, as
 * `job.updateProgress({ encoded })`, for a caller that listens.
 *
 * Each value is sent at once, without waiting for the one before: they share
 * the worker's one connection, so Redis writes them to the events stream in
 * the order they were reported. {@link finish} waits for all of them, so the
 * worker records the job's result only after its last progress event: a
 * caller reads every value before the answer.
 *
 * Progress is best effort: a value MessagePack cannot carry (a function) is
 * dropped, and so is one Redis does not take (the job was removed); the task
 * goes on either way.
 */
export class JobProgressReporter {
  readonly #job: ProgressTarget;
  #sent: Promise<unknown> = Promise.resolve();
  #open = true;

  constructor(job: ProgressTarget) {
    this.#job = job;
  }

  /** The task's `onProgress`: sends `value` unless the job has finished. Never throws. */
  readonly report = (value: unknown): void => {
    if (!this.#open || msgpackCodec.mismatchOf(value, 'progress') !== undefined) return;
    const sent = this.#job.updateProgress({ encoded: encodeJobValue(value) }).then(ignore, ignore);
    this.#sent = this.#sent.then(() => sent);
  };

  /** Stops passing values on and resolves once every value sent so far has reached Redis or failed to. */
  finish(): Promise<unknown> {
    this.#open = false;
    return this.#sent;
  }
}
