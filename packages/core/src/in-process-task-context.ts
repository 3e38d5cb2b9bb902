import type { TaskContext } from './types.js';

/**
 * The context a task runs with in this thread. The signal is made on first
 * use: most tasks never look at it, and an AbortController per call would be
 * pure overhead. `progress` passes values to the caller's `onProgress` until
 * the call has settled, and never lets the caller's callback break the task.
 *
 * @internal Shared by `runTaskDefinition` and `streamTaskDefinition`.
 */
export class InProcessTaskContext implements TaskContext {
  #signal: AbortSignal | (() => AbortSignal) | undefined;
  #onProgress: ((value: unknown) => void) | undefined;

  constructor(signal: AbortSignal | (() => AbortSignal) | undefined, onProgress?: ((value: unknown) => void) | undefined) {
    this.#signal = signal;
    this.#onProgress = onProgress;
  }

  get signal(): AbortSignal {
    const signal = typeof this.#signal === 'function' ? this.#signal() : (this.#signal ?? new AbortController().signal);
    this.#signal = signal;
    return signal;
  }

  /**
   * Made on first use and bound, so a task may take it apart
   * (`(input, { progress }) => ...`) while tasks that never report pay nothing.
   * The value reaches `onProgress` at once, in this thread, so the only
   * window is the listener's: a promise it returns is what the task awaits
   * (a relay such as the server returns one while its connection is full).
   */
  get progress(): (value: unknown) => Promise<void> {
    const progress = (value: unknown): Promise<void> => {
      const onProgress = this.#onProgress;
      if (onProgress === undefined) return settledProgress;
      try {
        const paced = onProgress(value) as unknown;
        if (typeof paced !== 'object' || paced === null || typeof (paced as { then?: unknown }).then !== 'function') return settledProgress;
        // Never rejects: a task that does not await must not end in an unhandled rejection.
        return Promise.resolve(paced as PromiseLike<void>).then(undefined, ignoreRejection);
      } catch {
        // The caller's progress callback failing is the caller's business; the task goes on.
        return settledProgress;
      }
    };
    Object.defineProperty(this, 'progress', { value: progress });
    return progress;
  }

  /** Whether progress has somewhere to go: the caller passed `onProgress` and the call has not settled. */
  get reports(): boolean {
    return this.#onProgress !== undefined;
  }

  /** Called when the call settles: later progress goes nowhere. */
  settle(): void {
    this.#onProgress = undefined;
  }
}

// One settled promise for every value that needs no waiting: reporting allocates nothing.
const settledProgress: Promise<void> = Promise.resolve();

function ignoreRejection(): void {}
