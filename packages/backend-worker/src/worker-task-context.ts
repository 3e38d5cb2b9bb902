import type { TaskContext } from '@hybridcompute/core';
import { WorkerProgressWindow } from './worker-progress-window.js';

/**
 * A task's context inside a worker. Its AbortController is made only when
 * someone needs one, and `progress` reports only for calls whose caller
 * listens (`report` given); for the others it is one shared no-op. Internal.
 */
export class WorkerTaskContext implements TaskContext {
  #controller: AbortController | undefined;
  #report: ((callId: number, value: unknown) => void) | undefined;
  readonly #callId: number;
  // Made on the first value: calls that never report pay nothing.
  #window: WorkerProgressWindow | undefined;

  /**
   * @param report - sends a progress value of call `callId` to the pool; `undefined` when nobody listens.
   * @param callId - the call the context is for (only read when it reports).
   */
  constructor(report?: ((callId: number, value: unknown) => void) | undefined, callId = 0) {
    this.#report = report;
    this.#callId = callId;
  }

  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  abort(reason: unknown): void {
    (this.#controller ??= new AbortController()).abort(reason);
  }

  get aborted(): boolean {
    return this.#controller?.signal.aborted === true;
  }

  /**
   * Made on first use and bound, so that a task may take it apart
   * (`(input, { progress }) => ...`); values reported after the call settled go nowhere.
   * Values go through a {@link WorkerProgressWindow}: at most `progressWindow`
   * unacknowledged by the pool, then coalesced.
   */
  get progress(): (value: unknown) => Promise<void> {
    if (this.#report === undefined) return ignoreProgress;
    const progress = (value: unknown): Promise<void> => {
      const report = this.#report;
      if (report === undefined) return settledProgress;
      this.#window ??= new WorkerProgressWindow((reported) => report(this.#callId, reported));
      return this.#window.report(value);
    };
    Object.defineProperty(this, 'progress', { value: progress });
    return progress;
  }

  /** A chunk of the call is about to go: a progress value held back goes first. */
  sendHeldProgress(): void {
    this.#window?.sendHeld();
  }

  /** The pool delivered `count` more of this call's values. */
  acknowledgeProgress(count: number): void {
    this.#window?.acknowledge(count);
  }

  /** The call settled: the value held back goes now, before the answer; later progress goes nowhere. */
  settle(): void {
    this.#window?.flush();
    this.#window = undefined;
    this.#report = undefined;
  }
}

const settledProgress: Promise<void> = Promise.resolve();

function ignoreProgress(_value: unknown): Promise<void> {
  return settledProgress;
}
