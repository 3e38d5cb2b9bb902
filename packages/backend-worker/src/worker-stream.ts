import { ChunkQueue, ComputeError } from '@hybridcompute/core';
import type { WorkerCall } from './worker-call.js';

/** What a {@link WorkerStream} asks of its pool. Internal. */
export interface WorkerStreamControl {
  /** The reader took `credit` chunks: let the worker send that many more. */
  grant(call: WorkerCall, credit: number): void;
  /** The reader left early: settle the call with `error` and stop its task where it runs. */
  stop(call: WorkerCall, error: ComputeError): void;
}

/** The credits of one stream call: what the reader took goes back to the worker in batches. */
class WorkerStreamCredit {
  call: WorkerCall | undefined;
  readonly #control: WorkerStreamControl;
  readonly #grantEvery: number;
  #taken = 0;

  constructor(highWaterMark: number, control: WorkerStreamControl) {
    this.#control = control;
    this.#grantEvery = Math.max(1, Math.floor(highWaterMark / 2));
  }

  taken(): void {
    if (++this.#taken < this.#grantEvery) return;
    const call = this.call;
    if (call !== undefined && !call.settled) this.#control.grant(call, this.#taken);
    this.#taken = 0;
  }

  cancel(): void {
    const call = this.call;
    if (call === undefined || call.settled) return;
    const error = new ComputeError({ code: 'TASK_ABORTED', message: `The reader of task '${call.taskName}' stopped reading`, taskName: call.taskName });
    this.#control.stop(call, error);
  }
}

/**
 * The main side of a stream call: the chunks its worker sent, read by a
 * `for await` loop (core's {@link ChunkQueue}). The worker may send only as
 * many chunks as it has credit for: `highWaterMark` at first, and one more
 * for each chunk read (granted in batches of half the mark, so that a fast
 * reader does not answer every chunk). So at most `highWaterMark` chunks
 * wait here, and a reader that stops reading pauses the task at its `yield`.
 * Leaving the loop early stops the task where it runs. Internal.
 */
export class WorkerStream extends ChunkQueue {
  /** Chunks the worker may send before the reader takes any. */
  readonly highWaterMark: number;
  readonly #credit: WorkerStreamCredit;

  constructor(highWaterMark: number, control: WorkerStreamControl) {
    const credit = new WorkerStreamCredit(highWaterMark, control);
    super(credit);
    this.#credit = credit;
    this.highWaterMark = highWaterMark;
  }

  /** Reads the call's outcome: its end, or its failure after the chunks it sent. */
  follow(call: WorkerCall): void {
    this.#credit.call = call;
    call.promise.then(
      () => this.end(),
      (error: unknown) => this.fail(error),
    );
  }

  /** The call's deadline passed or its signal aborted: the stream ends now, chunks not read are dropped. */
  expire(error: ComputeError): void {
    this.abort(error);
  }
}
