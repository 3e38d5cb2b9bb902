// atob/btoa exist in Node 20 and browsers; Buffer does not exist in browsers.

/**
 * Encodes bytes as base64 text: how an image travels where only JSON does.
 *
 * @example
 * ```ts
 * toBase64(new Uint8Array([1, 2, 3])); // 'AQID'
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let start = 0; start < bytes.length; start += chunk) {
    binary += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return btoa(binary);
}

/**
 * Decodes base64 text made by {@link toBase64}.
 *
 * @example
 * ```ts
 * fromBase64('AQID'); // Uint8Array [1, 2, 3]
 * ```
 */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}
