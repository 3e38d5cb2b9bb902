import { taskFailedError, type ComputeError } from '@hybridcompute/core';
import { msgpackCodec } from '@hybridcompute/wire';
import { encodeJobValue } from './job-envelope.js';

/** The part of a BullMQ job that reporting progress uses. */
export interface ProgressTarget {
  updateProgress(progress: object): Promise<void>;
}

/** `job.updateProgress` commands one job may have waiting for Redis; past it, values wait in the reporter. */
export const progressUpdatesInFlight = 64;

/** Values one job's reporter holds while its commands are in flight; past it the newest replaces the newest held. */
export const maxHeldProgress = 64;

/**
 * Passes a running task's `ctx.progress` values on to its job, as
 * `job.updateProgress({ encoded })`, for a caller that listens.
 *
 * Each value is a Redis round trip. Up to {@link progressUpdatesInFlight}
 * go without waiting for the ones before: they share the worker's one
 * connection, so Redis writes them to the events stream in the order they
 * were reported. Past that bound the reporter holds up to
 * {@link maxHeldProgress} values, in order, then coalesces (the newest
 * replaces the newest held: a task reporting in a tight loop does not queue
 * a million commands), and sends one as each command returns. The promise it
 * answers, which the task's `ctx.progress` returns, settles once nothing is
 * held, so a task that awaits it is paced by Redis and loses no value, even
 * on a worker pool behind the bullmq worker (which sends 64 values without
 * waiting). {@link finish} sends the values held and waits
 * for every command, so the worker records the job's result only after its
 * last progress event: a caller reads the last value before the answer.
 *
 * A value MessagePack cannot carry (a function) fails the call with
 * `TASK_FAILED`, as on the worker pool and the server: the reporter stops
 * taking values and hands the error to `fail`, which aborts the job's task.
 * A value Redis does not take (the job was removed) is dropped, and the task
 * goes on.
 */
export class JobProgressReporter {
  readonly #job: ProgressTarget;
  #inFlight = 0;
  readonly #held: unknown[] = [];
  #open = true;
  #waiting: Promise<void> | undefined;
  #release: (() => void) | undefined;
  #idle: (() => void) | undefined;

  readonly #fail: (error: ComputeError) => void;
  /** Why the call failed, when a value could not be stored: the job fails with this, not with the abort it caused. */
  failure: ComputeError | undefined;
  readonly #taskName: string;

  /** `fail` is told, once, of a value that cannot be stored: it ends the call with that error. */
  constructor(job: ProgressTarget, taskName: string, fail: (error: ComputeError) => void) {
    this.#job = job;
    this.#taskName = taskName;
    this.#fail = fail;
  }

  /** The task's `onProgress`: sends `value` unless the job has finished. Never throws; the promise never rejects. */
  readonly report = (value: unknown): Promise<void> | undefined => {
    if (!this.#open) return undefined;
    const unsendable = msgpackCodec.mismatchOf(value, 'progress');
    if (unsendable !== undefined) {
      this.#open = false;
      this.#fail((this.failure = taskFailedError(this.#taskName, undefined, new TypeError(`Task '${this.#taskName}' reported progress that cannot be stored: ${unsendable}`))));
      return undefined;
    }
    if (this.#waiting === undefined && this.#inFlight < progressUpdatesInFlight) {
      this.#send(value);
      return undefined;
    }
    if (this.#held.length < maxHeldProgress) this.#held.push(value);
    else this.#held[this.#held.length - 1] = value;
    return (this.#waiting ??= new Promise<void>((resolve) => (this.#release = resolve)));
  };

  /** Stops taking values, sends the ones held (all at once, past the in-flight bound: the job is over), and resolves once every value sent has reached Redis or failed to. */
  finish(): Promise<void> {
    this.#open = false;
    this.#sendHeld();
    this.#wake();
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => (this.#idle = resolve));
  }

  #send(value: unknown): void {
    this.#inFlight++;
    this.#job.updateProgress({ encoded: encodeJobValue(value) }).then(this.#onSent, this.#onSent);
  }

  #sendHeld(): void {
    for (const value of this.#held.splice(0)) this.#send(value);
  }

  #wake(): void {
    const release = this.#release;
    this.#waiting = undefined;
    this.#release = undefined;
    release?.();
  }

  readonly #onSent = (): void => {
    this.#inFlight--;
    if (this.#held.length > 0) this.#send(this.#held.shift());
    if (this.#held.length === 0 && this.#waiting !== undefined) this.#wake();
    if (this.#inFlight === 0) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle?.();
    }
  };
}
