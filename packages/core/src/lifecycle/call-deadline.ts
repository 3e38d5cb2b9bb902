import { abortErrorFrom } from '../abort-error-from.js';
import type { ComputeError } from '../compute-error.js';
import type { CallOptions } from './read-run-options.js';
import { taskTimeoutError } from './task-timeout-error.js';

/**
 * One call's deadline: its `timeout` and the caller's `signal` joined into
 * one expiry, with the `TASK_TIMEOUT` / `TASK_ABORTED` error that names the
 * task and the backend, and one `release()` that clears the timer and the
 * listener. Every backend and the router use it instead of their own timer.
 *
 * The expiry fires at most once. When the caller's signal has already
 * aborted, the deadline is expired from the start and `onExpire` runs
 * synchronously in the constructor.
 *
 * @example
 * ```ts
 * return new Promise((resolve, reject) => {
 *   const deadline = new CallDeadline(taskName, 'remote', readRunOptions(taskName, options), reject);
 *   send(request, { signal: deadline.signal }).then(resolve, reject).finally(() => deadline.release());
 * });
 * ```
 */
export class CallDeadline {
  readonly taskName: string;
  /**
   * The backend the expiry error names. A router sets it to the backend of
   * the attempt in progress, so its timeout names where the call was.
   */
  backend: string | undefined;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timeout: number | undefined;
  readonly #onExpire: (error: ComputeError) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #controller: AbortController | undefined;
  #expired: ComputeError | undefined;
  #released = false;

  /**
   * @param options - the call's checked options (see `readRunOptions`).
   * @param onExpire - called once, with the error, when the timeout passes or the signal aborts.
   * @param startTimer - `false` to start the timeout later with {@link CallDeadline.startTimer}
   *   (a pool that counts run time only starts it when a worker takes the call).
   */
  constructor(
    taskName: string,
    backend: string | undefined,
    options: CallOptions,
    onExpire: (error: ComputeError) => void,
    startTimer = true,
  ) {
    this.taskName = taskName;
    this.backend = backend;
    this.#callerSignal = options.signal;
    this.#timeout = options.timeout;
    this.#onExpire = onExpire;
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#expire(abortErrorFrom(signal.reason, taskName, backend));
        return;
      }
      signal.addEventListener('abort', this.#onCallerAbort, { once: true });
    }
    if (startTimer) this.startTimer();
  }

  /** The expiry error once the deadline has passed or the signal aborted; `undefined` before. */
  get expired(): ComputeError | undefined {
    return this.#expired;
  }

  /**
   * A signal that aborts, with the expiry error as its reason, when the
   * deadline expires: what to hand to the work (a task's context, a fetch, a
   * nested backend). Without a timeout it is the caller's own signal, so a
   * call with only a signal costs no extra controller.
   */
  get signal(): AbortSignal {
    if (this.#expired !== undefined) return this.#controllerSignal();
    if (this.#timeout === undefined && this.#callerSignal !== undefined) return this.#callerSignal;
    return this.#controllerSignal();
  }

  /** Starts the timeout, if there is one and it has not started; no-op once expired or released. */
  startTimer(): void {
    const timeout = this.#timeout;
    if (timeout === undefined || this.#timer !== undefined || this.#expired !== undefined || this.#released) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#expire(taskTimeoutError(this.taskName, this.backend, timeout));
    }, timeout);
  }

  /** Clears the timer and the listener on the caller's signal. Call it when the call settles; safe to call twice. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }

  readonly #onCallerAbort = (): void => {
    this.#expire(abortErrorFrom(this.#callerSignal?.reason, this.taskName, this.backend));
  };

  #controllerSignal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#expired !== undefined) this.#controller.abort(this.#expired);
    }
    return this.#controller.signal;
  }

  #expire(error: ComputeError): void {
    if (this.#expired !== undefined || this.#released) return;
    this.#expired = error;
    this.release();
    this.#controller?.abort(error);
    this.#onExpire(error);
  }
}
