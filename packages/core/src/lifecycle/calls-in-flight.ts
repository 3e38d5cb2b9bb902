import { ComputeError } from '../compute-error.js';
import { CallDeadline } from './call-deadline.js';
import { CallsById } from './calls-by-id.js';
import { withCallNames } from './compute-error-from.js';
import type { CallOptions } from './read-run-options.js';

/**
 * How the calls a {@link CallsInFlight} table settled, by outcome. Timeouts
 * and aborts are counted apart from failures: they are the caller's choice,
 * not the backend's fault.
 *
 * @example
 * ```ts
 * const { completed, failed, timedOut, aborted }: CallCounts = calls.counts;
 * ```
 */
export interface CallCounts {
  completed: number;
  failed: number;
  timedOut: number;
  aborted: number;
}

/**
 * Options for a {@link CallsInFlight} table.
 *
 * @example
 * ```ts
 * const calls = new CallsInFlight<{ worker: PoolWorker }>({
 *   backend: 'worker',
 *   onExpire: (call) => call.state.worker.cancel(call.id), // tell the worker to stop
 * });
 * ```
 */
export interface CallsInFlightOptions<State> {
  /** The backend's name: every error a call rejects with names it. */
  backend: string;
  /**
   * Called after a call's deadline expired (timeout or the caller's signal)
   * and the call has rejected with `error`: tell the work to stop here.
   */
  onExpire?: ((call: InFlightCall<any, State>, error: ComputeError) => void) | undefined;
}

/**
 * One call in a {@link CallsInFlight} table. It settles exactly once, by
 * `resolve`, `reject` or its deadline, whichever is first; settling releases
 * its timer and listener and removes it from the table.
 *
 * @example
 * ```ts
 * const call = calls.open<number>('double', readRunOptions('double', options), undefined);
 * socket.send(JSON.stringify({ id: call.id, task: 'double', input: 21 }));
 * return call.promise; // settled by the frame whose id is call.id, or by the deadline
 * ```
 */
export class InFlightCall<Value = unknown, State = unknown> {
  /** Unique within its table: use it as the id on the wire. */
  readonly id: number;
  readonly taskName: string;
  readonly promise: Promise<Value>;
  /** Whatever the backend keeps with the call (its worker, its request). */
  state: State;
  readonly #table: CallsInFlight<State>;
  readonly #deadline: CallDeadline | undefined;
  #resolve!: (value: Value) => void;
  #reject!: (error: unknown) => void;
  #settled = false;

  /** @internal Made by {@link CallsInFlight.open}. */
  constructor(table: CallsInFlight<State>, id: number, taskName: string, options: CallOptions, state: State, startTimer: boolean) {
    this.#table = table;
    this.id = id;
    this.taskName = taskName;
    this.state = state;
    this.promise = new Promise<Value>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // The expiry callback is made only for a call that has a deadline: most calls have none.
    this.#deadline =
      options.signal === undefined && options.timeout === undefined
        ? undefined
        : new CallDeadline(taskName, table.backend, options, (error) => this.#expire(error), startTimer);
  }

  /** Whether the call has settled. */
  get settled(): boolean {
    return this.#settled;
  }

  /**
   * The call's deadline as a signal (see {@link CallDeadline.signal}), to
   * hand to the work; `undefined` when the call has neither timeout nor signal.
   */
  get signal(): AbortSignal | undefined {
    return this.#deadline?.signal;
  }

  /** Starts a timeout that was deferred (`open(..., { startTimer: false })`). */
  startTimer(): void {
    this.#deadline?.startTimer();
  }

  /** Fulfils the call; `false` when it had already settled. */
  resolve(value: Value): boolean {
    if (!this.#finish()) return false;
    this.#table.counts.completed++;
    this.#resolve(value);
    return true;
  }

  /**
   * Rejects the call; `false` when it had already settled. A `ComputeError`
   * gets the call's task and backend where it names none.
   */
  reject(error: unknown): boolean {
    if (!this.#finish()) return false;
    const counts = this.#table.counts;
    if (ComputeError.isInstance(error)) {
      withCallNames(error, this.taskName, this.#table.backend);
      if (error.code === 'TASK_TIMEOUT') counts.timedOut++;
      else if (error.code === 'TASK_ABORTED') counts.aborted++;
      else counts.failed++;
    } else {
      counts.failed++;
    }
    this.#reject(error);
    return true;
  }

  #finish(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#deadline?.release();
    this.#table.forget(this);
    return true;
  }

  #expire(error: ComputeError): void {
    // Inside the constructor (an aborted signal) #deadline is not set yet: nothing was sent, so nothing to stop.
    if (this.reject(error) && this.#deadline !== undefined) this.#table.expired(this, error);
  }
}

/**
 * The table of a backend's calls in flight: each call settles exactly once,
 * its deadline (timeout and signal) is wired and released, and `rejectAll`
 * settles whatever is left when the backend closes or its connection dies.
 * Backends outside this repository use it too, instead of writing their own.
 *
 * @typeParam State - what the backend keeps with each call.
 *
 * @example
 * ```ts
 * const calls = new CallsInFlight<undefined>({ backend: 'remote', onExpire: (call) => send({ id: call.id, cancel: true }) });
 *
 * function runTask(taskName: string, input: unknown, options?: RunTaskOptions): Promise<unknown> {
 *   const call = calls.open(taskName, readRunOptions(taskName, options), undefined);
 *   if (!call.settled) send({ id: call.id, task: taskName, input });
 *   return call.promise;
 * }
 * socket.on('message', (frame) => calls.get(frame.id)?.resolve(frame.result));
 * socket.on('close', () => calls.rejectAll(backendUnavailableError('remote', 'The connection closed')));
 * ```
 */
export class CallsInFlight<State = undefined> {
  /** The name every error of these calls reports as its `backend`. */
  readonly backend: string;
  /** Settled calls by outcome, since the table was made. */
  readonly counts: CallCounts = { completed: 0, failed: 0, timedOut: 0, aborted: 0 };
  readonly #calls = new CallsById<InFlightCall<any, State>>();
  readonly #onExpire: CallsInFlightOptions<State>['onExpire'];
  #nextId = 1;

  constructor(options: CallsInFlightOptions<State>) {
    this.backend = options.backend;
    this.#onExpire = options.onExpire;
  }

  /** How many calls have not settled. */
  get size(): number {
    return this.#calls.size;
  }

  /**
   * Opens a call. When the caller's signal has already aborted, the call
   * comes back settled (check `call.settled` before sending anything).
   *
   * @param options - the call's checked options (see `readRunOptions`).
   * @param state - what the backend keeps with the call.
   * @param startTimer - `false` to start the timeout later with `call.startTimer()`.
   */
  open<Value = unknown>(taskName: string, options: CallOptions, state: State, startTimer = true): InFlightCall<Value, State> {
    const call = new InFlightCall<Value, State>(this, this.#nextId++, taskName, options, state, startTimer);
    if (!call.settled) this.#calls.add(call);
    return call;
  }

  /** The unsettled call with this id. */
  get(id: number): InFlightCall<any, State> | undefined {
    return this.#calls.get(id);
  }

  /** The unsettled calls, in the order they were opened. */
  values(): IterableIterator<InFlightCall<any, State>> {
    return this.#calls.inOrder().values();
  }

  /**
   * Rejects every unsettled call: with `error`, or with what `errorFor`
   * returns for each call (to name each call's task).
   */
  rejectAll(error: unknown): void {
    for (const call of this.#calls.inOrder()) {
      call.reject(typeof error === 'function' ? (error as (call: InFlightCall<any, State>) => unknown)(call) : error);
    }
  }

  /** @internal A call settled. */
  forget(call: InFlightCall<any, State>): void {
    this.#calls.delete(call);
  }

  /** @internal A call's deadline expired after it rejected. */
  expired(call: InFlightCall<any, State>, error: ComputeError): void {
    if (this.#onExpire === undefined) return;
    try {
      this.#onExpire(call, error);
    } catch {
      // The call has settled already; a failing cancel must not surface as an unhandled error.
    }
  }
}
