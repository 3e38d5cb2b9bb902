/**
 * The message to show for a thrown value: its `message` when it has a string
 * one, otherwise `String(value)`. Never throws, whatever was thrown (a
 * null-prototype object has no `toString`; a revoked Proxy cannot be read).
 *
 * @example
 * ```ts
 * catch (error) { return `Task '${name}' failed: ${messageOf(error)}`; }
 * ```
 */
export function messageOf(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null) {
      const message = (value as { message?: unknown }).message;
      if (typeof message === 'string') return message;
    }
    return String(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[a value that could not be read]';
    }
  }
}
