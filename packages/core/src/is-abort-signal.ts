/**
 * Whether `value` is an `AbortSignal`. Duck-typed (`aborted` and
 * `addEventListener`), so a signal from another realm (an iframe, a polyfill)
 * passes too. Backends use it to reject a bad `signal` option with
 * `INVALID_REQUEST` instead of failing on it later.
 *
 * @example
 * ```ts
 * if (options?.signal != null && !isAbortSignal(options.signal)) {
 *   return Promise.reject(invalidArgumentError(`runTask('${taskName}'): signal must be an AbortSignal`));
 * }
 * ```
 */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}
