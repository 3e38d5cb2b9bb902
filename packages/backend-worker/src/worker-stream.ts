import { ComputeError } from '@hybridcompute/core';
import type { WorkerCall } from './worker-call.js';

type StreamEnd = { ok: true } | { ok: false; error: unknown };

/** What a {@link WorkerStream} asks of its pool. Internal. */
export interface WorkerStreamControl {
  /** The reader took `credit` chunks: let the worker send that many more. */
  grant(call: WorkerCall, credit: number): void;
  /** The reader left early: settle the call with `error` and stop its task where it runs. */
  stop(call: WorkerCall, error: ComputeError): void;
}

/**
 * The main side of a stream call: the chunks its worker sent, read by a
 * `for await` loop. The worker may send only as many chunks as it has credit
 * for: `highWaterMark` at first, and one more for each chunk read (granted in
 * batches of half the mark, so that a fast reader does not answer every
 * chunk). So at most `highWaterMark` chunks wait here, and a reader that
 * stops reading pauses the task at its `yield`. Internal.
 */
export class WorkerStream implements AsyncIterableIterator<unknown> {
  /** Chunks the worker may send before the reader takes any. */
  readonly highWaterMark: number;
  readonly #control: WorkerStreamControl;
  readonly #grantEvery: number;
  #call: WorkerCall | undefined;
  #chunks: unknown[] = [];
  #head = 0;
  #taken = 0;
  // Reads waiting for a chunk: one in a `for await`, more when next() is called without awaiting.
  #waiting: { resolve(step: IteratorResult<unknown>): void; reject(error: unknown): void }[] = [];
  // Set when the call has settled: `done` once the chunks are read, or an error to throw then.
  #end: StreamEnd | undefined;
  #closed = false;

  constructor(highWaterMark: number, control: WorkerStreamControl) {
    this.highWaterMark = highWaterMark;
    this.#control = control;
    this.#grantEvery = Math.max(1, Math.floor(highWaterMark / 2));
  }

  /** Reads the call's outcome: its end, or its failure after the chunks it sent. */
  follow(call: WorkerCall): void {
    this.#call = call;
    call.promise.then(
      () => this.#settle({ ok: true }),
      (error: unknown) => this.#settle({ ok: false, error }),
    );
  }

  /** A chunk from the worker. */
  push(chunk: unknown): void {
    if (this.#closed) return;
    const waiting = this.#waiting.shift();
    if (waiting === undefined) {
      this.#chunks.push(chunk);
      return;
    }
    this.#took();
    waiting.resolve({ done: false, value: chunk });
  }

  /** The call's deadline passed or its signal aborted: the stream ends now, chunks not read are dropped. */
  expire(error: ComputeError): void {
    this.#chunks = [];
    this.#head = 0;
    this.#settle({ ok: false, error });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#head < this.#chunks.length) {
      const chunk = this.#chunks[this.#head];
      this.#chunks[this.#head++] = undefined;
      if (this.#head === this.#chunks.length) {
        this.#chunks = [];
        this.#head = 0;
      }
      this.#took();
      return Promise.resolve({ done: false, value: chunk });
    }
    const end = this.#end;
    if (this.#closed || end?.ok === true) {
      this.#closed = true;
      return Promise.resolve({ done: true, value: undefined });
    }
    if (end !== undefined) {
      this.#closed = true;
      return Promise.reject(end.error);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
    });
  }

  /** The loop ended early (`break`, `return`, a throw in its body): the task is stopped where it runs. */
  return(): Promise<IteratorResult<unknown>> {
    if (!this.#closed) {
      this.#closed = true;
      this.#chunks = [];
      this.#head = 0;
      const call = this.#call;
      if (call !== undefined && !call.settled) {
        const error = new ComputeError({ code: 'TASK_ABORTED', message: `The reader of task '${call.taskName}' stopped reading`, taskName: call.taskName });
        this.#control.stop(call, error);
      }
      for (const waiting of this.#waiting.splice(0)) waiting.resolve({ done: true, value: undefined });
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  async throw(error?: unknown): Promise<IteratorResult<unknown>> {
    await this.return();
    throw error;
  }

  #took(): void {
    if (++this.#taken < this.#grantEvery) return;
    const call = this.#call;
    if (call !== undefined && !call.settled) this.#control.grant(call, this.#taken);
    this.#taken = 0;
  }

  #settle(end: StreamEnd): void {
    if (this.#end !== undefined) return;
    this.#end = end;
    // Reads wait only while no chunk is here: they get the end now (an error once, as a loop would see it).
    if (this.#waiting.length === 0) return;
    this.#closed = true;
    const [first, ...others] = this.#waiting.splice(0);
    if (end.ok) first!.resolve({ done: true, value: undefined });
    else first!.reject(end.error);
    for (const waiting of others) waiting.resolve({ done: true, value: undefined });
  }
}
