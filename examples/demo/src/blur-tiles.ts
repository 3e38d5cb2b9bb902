import { defineTask } from '@hybridcompute/core';
import { fromBase64 } from './base64.js';
import { boxPass, fnv1aHex, fnv1aStart, fnv1aUpdate } from './box-blur.js';

/** What {@link blurTiles} blurs: an RGBA image as for `blurImage`, and the height of its tiles. */
export interface BlurTilesInput {
  width: number;
  height: number;
  /** The box's reach in pixels on each side: 1 averages a 3×3 box. */
  radius: number;
  /** Rows per tile; the last tile may have fewer. */
  tileRows: number;
  /** width × height × 4 bytes: an ArrayBuffer where structured clone carries it, base64 text where only JSON does. */
  pixels: ArrayBuffer | string;
}

/** One band of the blurred image, as {@link blurTiles} yields it: small and JSON, the same from every backend. */
export interface BlurTile {
  /** 0 for the top tile. */
  index: number;
  /** The tile's first row. */
  y: number;
  rows: number;
  /** FNV-1a (32 bit, hex) of the tile's blurred RGBA bytes. */
  checksum: string;
  /** FNV-1a of every blurred byte up to the end of this tile: the last tile's equals `blurImage`'s checksum. */
  runningChecksum: string;
}

/**
 * The box blur of `blurImage`, streamed: it blurs the image one band of
 * `tileRows` rows at a time and yields each band's {@link BlurTile} as soon
 * as it is done, so a reader can draw the top of the image while the rest is
 * still being blurred. A reader that stops reading pauses it at its `yield`;
 * one that leaves the loop stops it. Returns the number of tiles.
 *
 * @example
 * ```ts
 * for await (const tile of compute.streamTask('blurTiles', { width: 512, height: 512, radius: 2, tileRows: 32, pixels })) {
 *   console.log(`rows ${tile.y}..${tile.y + tile.rows - 1}: ${tile.checksum}`);
 * }
 * ```
 */
export const blurTiles = defineTask('blurTiles', async function* (input: BlurTilesInput, { signal }): AsyncGenerator<BlurTile, number> {
  const { width, height, radius, tileRows, pixels } = input;
  const source = typeof pixels === 'string' ? fromBase64(pixels) : new Uint8Array(pixels);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || source.length !== width * height * 4) {
    throw Object.assign(new RangeError(`expected ${width}×${height}×4 bytes of RGBA, got ${source.length}`), { code: 'E_IMAGE_SIZE' });
  }
  if (!Number.isInteger(tileRows) || tileRows < 1) throw Object.assign(new RangeError(`tileRows must be a whole number from 1, got ${tileRows}`), { code: 'E_TILE_ROWS' });
  const rowBytes = width * 4;
  let running = fnv1aStart;
  let index = 0;
  for (let y = 0; y < height; y += tileRows, index++) {
    signal.throwIfAborted();
    const rows = Math.min(tileRows, height - y);
    // The band and `radius` rows on each side: what its rows' vertical boxes reach.
    const from = Math.max(0, y - radius);
    const to = Math.min(height, y + rows + radius);
    const band = source.subarray(from * rowBytes, to * rowBytes);
    const across = boxPass(band, width, to - from, radius, 4, rowBytes);
    const blurred = boxPass(across, to - from, width, radius, rowBytes, 4);
    const tile = blurred.subarray((y - from) * rowBytes, (y - from + rows) * rowBytes);
    running = fnv1aUpdate(running, tile);
    yield { index, y, rows, checksum: fnv1aHex(fnv1aUpdate(fnv1aStart, tile)), runningChecksum: fnv1aHex(running) };
  }
  return index;
});
