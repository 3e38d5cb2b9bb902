import { createLocalBackend } from '@hybridcompute/backend-local';
import { describe, expect, it } from 'vitest';
import { blurImage, blurTiles, type BlurTile } from './demo-tasks.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';

const image = (width: number, height: number): ArrayBuffer => fillPseudoRandom(new Uint8Array(width * height * 4), 3).buffer as ArrayBuffer;

describe('blurTiles', () => {
  it('streams bands whose running checksum ends at blurImage’s checksum of the same image', async () => {
    const local = createLocalBackend({ tasks: [blurImage, blurTiles] });
    for (const [width, height, radius, tileRows] of [
      [40, 37, 2, 8],
      [16, 16, 3, 1],
      [9, 5, 1, 100],
    ] as const) {
      const tiles: BlurTile[] = [];
      for await (const tile of local.streamTask('blurTiles', { width, height, radius, tileRows, pixels: image(width, height) })) tiles.push(tile as BlurTile);
      const whole = (await local.runTask('blurImage', { width, height, radius, pixels: image(width, height) })) as { checksum: string };
      expect(tiles.map((tile) => tile.y)).toEqual(Array.from({ length: Math.ceil(height / tileRows) }, (_, index) => index * tileRows));
      expect(tiles.reduce((sum, tile) => sum + tile.rows, 0)).toBe(height);
      expect(tiles.at(-1)!.runningChecksum).toBe(whole.checksum);
    }
  });

  it('refuses an image of the wrong size and a bad tile height with their codes', async () => {
    const local = createLocalBackend({ tasks: [blurTiles] });
    const codeOf = async (input: unknown): Promise<unknown> => {
      try {
        for await (const _tile of local.streamTask('blurTiles', input)) return 'no error';
      } catch (error) {
        return ((error as Error).cause as { code?: string }).code;
      }
      return 'no tiles';
    };
    await expect(codeOf({ width: 4, height: 4, radius: 1, tileRows: 2, pixels: new ArrayBuffer(3) })).resolves.toBe('E_IMAGE_SIZE');
    await expect(codeOf({ width: 2, height: 2, radius: 1, tileRows: 0, pixels: new ArrayBuffer(16) })).resolves.toBe('E_TILE_ROWS');
  });
});
