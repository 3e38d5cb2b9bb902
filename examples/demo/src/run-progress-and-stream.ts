import { transfer } from '@hybridcompute/backend-worker';
import type { HybridCompute } from '@hybridcompute/core';
import { blurImage, type BlurTile, type CountPrimesProgress } from './demo-tasks.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';

/** What {@link runProgressAndStream} tells its `onProgress` as it goes. */
export type ProgressAndStreamEvent =
  | { type: 'long-task-started'; task: 'countPrimes'; backend: string; limit: number }
  | { type: 'long-task-progress'; task: 'countPrimes'; backend: string; checked: number; limit: number }
  | { type: 'tile'; backend: string; index: number; of: number };

/** The long task, `countPrimes` with `onProgress`, as {@link runProgressAndStream} ran it. */
export interface DemoLongTask {
  backend: string;
  limit: number;
  primes: number;
  /** Progress values the caller received, all before the answer. */
  progressValues: number;
  /** The last one's `checked`: the limit, when every value arrived. */
  lastChecked: number;
}

/** The streaming task, `blurTiles`, as {@link runProgressAndStream} ran it. */
export interface DemoStream {
  backend: string;
  tiles: number;
  /** Milliseconds until the first tile arrived, and until the last. */
  firstTileMs: number;
  allTilesMs: number;
  /** Whether the tiles add up to the image `blurImage` makes of the same pixels (their running checksum). */
  matchesBlurImage: boolean;
}

/** Options for {@link runProgressAndStream}. */
export interface ProgressAndStreamOptions {
  compute: Pick<HybridCompute<unknown, string>, 'runTask' | 'streamTask'>;
  /** Where the long task runs (`undefined`: it does not run). */
  longTaskOn: string | undefined;
  /** Where the stream runs (`undefined`: it does not run). */
  streamOn: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((event: ProgressAndStreamEvent) => void) | undefined;
}

// About a second of trial division on a busy machine: long enough to watch, short enough for the tests.
const longTaskLimit = 1_000_000;
const image = { width: 256, height: 256, radius: 2, tileRows: 16, seed: 11 };

/**
 * The demo's progress and streaming section: one long `countPrimes` whose
 * progress (`ctx.progress` in the task, `onProgress` here) draws a live bar,
 * then `blurTiles`, which streams a blurred image band by band from a worker.
 *
 * @example
 * ```ts
 * const { longTask, stream } = await runProgressAndStream({ compute, longTaskOn: 'worker', streamOn: 'worker', onProgress: console.log });
 * console.log(longTask?.primes, stream?.tiles); // 78498 16
 * ```
 */
export async function runProgressAndStream(options: ProgressAndStreamOptions): Promise<{ longTask: DemoLongTask | undefined; stream: DemoStream | undefined }> {
  const { compute, longTaskOn, streamOn, signal, onProgress } = options;
  let longTask: DemoLongTask | undefined;
  if (longTaskOn !== undefined) {
    const backend = longTaskOn;
    onProgress?.({ type: 'long-task-started', task: 'countPrimes', backend, limit: longTaskLimit });
    let progressValues = 0;
    let lastChecked = 0;
    const primes = (await compute.runTask('countPrimes', longTaskLimit, {
      strategy: backend,
      signal,
      onProgress: (value: unknown) => {
        const { checked, limit } = value as CountPrimesProgress;
        progressValues++;
        lastChecked = checked;
        onProgress?.({ type: 'long-task-progress', task: 'countPrimes', backend, checked, limit });
      },
    })) as number;
    longTask = { backend, limit: longTaskLimit, primes, progressValues, lastChecked };
  }
  let stream: DemoStream | undefined;
  if (streamOn !== undefined) {
    const { width, height, radius, tileRows, seed } = image;
    const of = Math.ceil(height / tileRows);
    const startedAt = performance.now();
    let firstTileMs = 0;
    let last: BlurTile | undefined;
    let tiles = 0;
    const pixels = pixelsOf(width, height, seed);
    // Moved to the worker, not copied (on the local backend the mark changes nothing).
    const input = transfer({ width, height, radius, tileRows, pixels }, [pixels]);
    for await (const tile of compute.streamTask('blurTiles', input, { strategy: streamOn, signal })) {
      if (tiles++ === 0) firstTileMs = performance.now() - startedAt;
      last = tile as BlurTile;
      onProgress?.({ type: 'tile', backend: streamOn, index: last.index, of });
    }
    const allTilesMs = performance.now() - startedAt;
    const whole = await blurImage.run({ width, height, radius, pixels: pixelsOf(width, height, seed) }, { signal: new AbortController().signal, progress: ignoreProgress });
    stream = { backend: streamOn, tiles, firstTileMs, allTilesMs, matchesBlurImage: last?.runningChecksum === whole.checksum };
  }
  return { longTask, stream };
}

async function ignoreProgress(): Promise<void> {}

function pixelsOf(width: number, height: number, seed: number): ArrayBuffer {
  const bytes = new Uint8Array(new ArrayBuffer(width * height * 4));
  fillPseudoRandom(bytes, seed);
  return bytes.buffer;
}
