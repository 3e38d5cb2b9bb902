/**
 * The longest delay `setTimeout` honours, in milliseconds (about 24.8 days).
 * It runs anything larger after 1 ms, which would turn a long deadline into
 * an instant one.
 *
 * @example
 * ```ts
 * throw invalidArgumentError(`timeout must be from 1 to ${maxTimerDelay} ms`);
 * ```
 */
export const maxTimerDelay = 2 ** 31 - 1;

/**
 * Whether `value` is a usable timeout: a number of milliseconds from above 0
 * to {@link maxTimerDelay}. Backends use it to reject a bad `timeout` option
 * with `INVALID_REQUEST` instead of a timer that fires at once or never.
 *
 * @example
 * ```ts
 * if (options?.timeout !== undefined && !isTimerDelay(options.timeout)) {
 *   return Promise.reject(invalidArgumentError(`runTask('${taskName}'): timeout must be from 1 to ${maxTimerDelay} ms`));
 * }
 * ```
 */
export function isTimerDelay(value: unknown): value is number {
  return typeof value === 'number' && value > 0 && value <= maxTimerDelay;
}
