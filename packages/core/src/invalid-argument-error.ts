/**
 * A `TypeError` for a programming mistake in how the API was called, with
 * code `INVALID_REQUEST` so callers can tell it apart without parsing the message.
 *
 * @example
 * ```ts
 * function createMyBackend(options: { url: string }) {
 *   if (typeof options.url !== 'string') {
 *     throw invalidArgumentError(`createMyBackend: url must be a string, got ${typeof options.url}`);
 *   }
 *   // ...
 * }
 * ```
 */
export function invalidArgumentError(message: string): TypeError & { code: 'INVALID_REQUEST' } {
  return Object.assign(new TypeError(message), { code: 'INVALID_REQUEST' as const });
}
