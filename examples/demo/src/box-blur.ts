// The box blur and checksum behind the demo's blur tasks (`blurImage`, `blurTiles`).

/**
 * One pass of a box blur along lines of `length` pixels, `step` bytes apart,
 * with consecutive lines `lineStep` bytes apart: rows or columns alike.
 */
export function boxPass(source: Uint8Array, length: number, lines: number, radius: number, step: number, lineStep: number): Uint8Array {
  const target = new Uint8Array(source.length);
  const window = 2 * radius + 1;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    for (let channel = 0; channel < 4; channel++) {
      let sum = 0;
      for (let offset = -radius; offset <= radius; offset++) {
        sum += source[base + clamp(offset, length) * step + channel] ?? 0;
      }
      for (let index = 0; index < length; index++) {
        target[base + index * step + channel] = Math.round(sum / window);
        sum += (source[base + clamp(index + radius + 1, length) * step + channel] ?? 0) - (source[base + clamp(index - radius, length) * step + channel] ?? 0);
      }
    }
  }
  return target;
}

export function clamp(index: number, length: number): number {
  return index < 0 ? 0 : index >= length ? length - 1 : index;
}

/** FNV-1a (32 bit) in steps, so that tiles hashed in order give the hash of the whole image. */
export const fnv1aStart = 0x811c9dc5;

/** The running FNV-1a hash after `bytes`. */
export function fnv1aUpdate(hash: number, bytes: Uint8Array): number {
  for (const byte of bytes) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash;
}

/** A running FNV-1a hash as 8 hex digits. */
export function fnv1aHex(hash: number): string {
  return (hash >>> 0).toString(16).padStart(8, '0');
}

