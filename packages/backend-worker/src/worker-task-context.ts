import type { TaskContext } from '@hybridcompute/core';

/**
 * A task's context inside a worker. Its AbortController is made only when
 * someone needs one, and `progress` reports only for calls whose caller
 * listens (`report` given); for the others it is one shared no-op. Internal.
 */
export class WorkerTaskContext implements TaskContext {
  #controller: AbortController | undefined;
  #report: ((callId: number, value: unknown) => void) | undefined;
  readonly #callId: number;

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
   */
  get progress(): (value: unknown) => void {
    if (this.#report === undefined) return ignoreProgress;
    const progress = (value: unknown): void => this.#report?.(this.#callId, value);
    Object.defineProperty(this, 'progress', { value: progress });
    return progress;
  }

  /** The call settled: later progress goes nowhere. */
  settle(): void {
    this.#report = undefined;
  }
}

function ignoreProgress(_value: unknown): void {}
