/**
 * Fills `bytes` with pseudo-random bytes from `seed` (xorshift32): the same
 * seed gives the same bytes everywhere, so a generated image or buffer can be
 * rebuilt where a task runs, or checked, instead of being shipped.
 *
 * @example
 * ```ts
 * const pixels = fillPseudoRandom(new Uint8Array(64 * 64 * 4), 7);
 * ```
 */
export function fillPseudoRandom(bytes: Uint8Array, seed: number): Uint8Array {
  let state = (seed | 0) === 0 ? 0x9e3779b9 : seed | 0;
  for (let index = 0; index < bytes.length; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}
