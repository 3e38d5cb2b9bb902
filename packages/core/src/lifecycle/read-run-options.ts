import { invalidArgumentError } from '../invalid-argument-error.js';
import { isAbortSignal } from '../is-abort-signal.js';
import { maxTimerDelay } from '../is-timer-delay.js';

/**
 * A call's run options once checked: what every backend and the router act on.
 *
 * @example
 * ```ts
 * const { signal, timeout }: CallOptions = readRunOptions('double', { timeout: 500 });
 * // signal: undefined, timeout: 500
 * ```
 */
export interface CallOptions {
  /** The caller's signal; `undefined` when none was given (`null` counts as none). */
  readonly signal: AbortSignal | undefined;
  /** Milliseconds from the call until it times out; `undefined` for no deadline. */
  readonly timeout: number | undefined;
  /** The caller's progress callback; `undefined` when none was given. */
  readonly onProgress?: ((value: unknown) => void) | undefined;
}

/**
 * The options of a call that has none, shared so the common call allocates nothing.
 *
 * @example
 * ```ts
 * const read = options === undefined ? noCallOptions : readRunOptions(taskName, options);
 * ```
 */
export const noCallOptions: CallOptions = /* @__PURE__ */ Object.freeze({ signal: undefined, timeout: undefined });

/**
 * Whether `value` is a usable run timeout: a finite number of milliseconds
 * from 0 up to {@link maxTimerDelay} (a larger delay would make `setTimeout`
 * fire at once). 0 times the call out as soon as the event loop turns.
 *
 * @example
 * ```ts
 * isRunTimeout(500); // true
 * isRunTimeout(2 ** 40); // false: past setTimeout's limit
 * ```
 */
export function isRunTimeout(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && value <= maxTimerDelay;
}

/**
 * Reads `runTask`'s third argument the way every backend and the router
 * must: `undefined` means no options; otherwise it must be an object whose
 * `signal` is an AbortSignal, `null` or `undefined`, and whose `timeout` is
 * {@link isRunTimeout} or `undefined`, and whose `onProgress` is a function
 * or `undefined`. Other fields (the router's `strategy`)
 * are left to the caller.
 *
 * @throws TypeError with code `INVALID_REQUEST`, naming the task and the bad option.
 *   Call it inside `runTask`'s own error handling, so that it becomes a rejection.
 *
 * @example
 * ```ts
 * runTask(taskName: string, input: unknown, options?: RunTaskOptions): Promise<unknown> {
 *   let read: CallOptions;
 *   try {
 *     read = readRunOptions(taskName, options);
 *   } catch (error) {
 *     return Promise.reject(error); // INVALID_REQUEST, never a synchronous throw
 *   }
 *   return this.#calls.open(taskName, read).promise;
 * }
 * ```
 */
export function readRunOptions(taskName: string, options: unknown): CallOptions {
  if (options === undefined) return noCallOptions;
  if (typeof options !== 'object' || options === null) {
    throw invalidArgumentError(
      `runTask('${taskName}'): options must be an object such as { signal, timeout }, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const { signal, timeout, onProgress } = options as { signal?: unknown; timeout?: unknown; onProgress?: unknown };
  if (signal != null && !isAbortSignal(signal)) {
    throw invalidArgumentError(`runTask('${taskName}'): signal must be an AbortSignal, got ${describe(signal)}`);
  }
  if (timeout !== undefined && !isRunTimeout(timeout)) {
    throw invalidArgumentError(
      `runTask('${taskName}'): timeout must be a number of milliseconds from 0 to ${maxTimerDelay}, got ${describe(timeout)}`,
    );
  }
  if (onProgress != null && typeof onProgress !== 'function') {
    throw invalidArgumentError(`runTask('${taskName}'): onProgress must be a function, got ${describe(onProgress)}`);
  }
  if (onProgress != null) return { signal: signal ?? undefined, timeout, onProgress: onProgress as (value: unknown) => void };
  if (signal == null && timeout === undefined) return noCallOptions;
  return { signal: signal ?? undefined, timeout };
}

function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : typeof value;
}

/**
 * A stream call's options once checked: a call's, and how many chunks may
 * be on their way between the task and the reader.
 *
 * @example
 * ```ts
 * const { highWaterMark }: StreamCallOptions = readStreamOptions('tiles', { highWaterMark: 4 }); // 4
 * ```
 */
export interface StreamCallOptions extends CallOptions {
  readonly highWaterMark: number;
}

/**
 * The chunks a stream keeps on their way when the caller does not say:
 * enough to hide a round trip, few enough that a stalled reader holds little.
 *
 * @example
 * ```ts
 * const credits = options.highWaterMark ?? defaultHighWaterMark; // 16
 * ```
 */
export const defaultHighWaterMark = 16;

/**
 * Reads `streamTask`'s options: those of {@link readRunOptions}, and
 * `highWaterMark`, a whole number of chunks from 1 to 65536 (default
 * {@link defaultHighWaterMark}).
 *
 * @throws TypeError with code `INVALID_REQUEST` for bad options.
 *
 * @example
 * ```ts
 * const read = readStreamOptions(taskName, options); // { signal, timeout, onProgress, highWaterMark }
 * ```
 */
export function readStreamOptions(taskName: string, options: unknown): StreamCallOptions {
  const read = readRunOptions(taskName, options);
  const highWaterMark = options === undefined ? undefined : (options as { highWaterMark?: unknown }).highWaterMark;
  if (highWaterMark === undefined) return { ...read, highWaterMark: defaultHighWaterMark };
  if (typeof highWaterMark !== 'number' || !Number.isInteger(highWaterMark) || highWaterMark < 1 || highWaterMark > 65_536) {
    throw invalidArgumentError(`streamTask('${taskName}'): highWaterMark must be a whole number of chunks from 1 to 65536, got ${describe(highWaterMark)}`);
  }
  return { ...read, highWaterMark };
}
