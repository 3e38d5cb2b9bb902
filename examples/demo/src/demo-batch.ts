import { transfer } from '@hybridcompute/backend-worker';
import { toBase64 } from './base64.js';
import * as tasks from './demo-tasks.js';
import { fillPseudoRandom } from './fill-pseudo-random.js';

/** A generated RGBA image: rebuilt from `seed` wherever it is needed, so a call can carry it either way. */
export interface DemoImage {
  width: number;
  height: number;
  radius: number;
  seed: number;
}

/** One call of the demo's batch. */
export type DemoCall =
  | { task: 'sha256'; input: tasks.Sha256Input }
  | { task: 'countPrimes'; input: number }
  | { task: 'blurImage'; image: DemoImage };

/**
 * How a call's image travels: `'transfer'` as an ArrayBuffer moved to a worker
 * (and simply read by the local backend), `'base64'` as text that JSON carries.
 */
export type PixelsAs = 'transfer' | 'base64';

/**
 * The demo's batch: `size` calls, a third each of `sha256` (64 KiB),
 * `countPrimes` (below 20,000 to 60,000) and `blurImage` (96×96, radius 2),
 * with few distinct inputs so that every answer can be checked cheaply.
 *
 * @example
 * ```ts
 * const batch = makeDemoBatch(300);
 * await compute.runTask(batch[0].task, demoInput(batch[0], 'base64'));
 * ```
 */
export function makeDemoBatch(size: number): DemoCall[] {
  return Array.from({ length: size }, (_, index): DemoCall => {
    const seed = (index % 7) + 1;
    switch (index % 3) {
      case 0:
        return { task: 'sha256', input: { bytes: 64 * 1024, seed } };
      case 1:
        return { task: 'countPrimes', input: 20_000 + (index % 5) * 10_000 };
      default:
        return { task: 'blurImage', image: { width: 96, height: 96, radius: 2, seed } };
    }
  });
}

/**
 * The input to send for `call`. A blur's pixels are made fresh each time,
 * because a transfer detaches them from this side.
 */
export function demoInput(call: DemoCall, pixelsAs: PixelsAs): unknown {
  if (call.task !== 'blurImage') return call.input;
  const { width, height, radius, seed } = call.image;
  const pixels = fillPseudoRandom(new Uint8Array(width * height * 4), seed);
  if (pixelsAs === 'base64') return { width, height, radius, pixels: toBase64(pixels) };
  return transfer({ width, height, radius, pixels: pixels.buffer }, [pixels.buffer]);
}

/**
 * Checks answers against the task definitions run right here, once per
 * distinct input (the batch has few), so checking stays cheap.
 */
export function createAnswerChecker(): (call: DemoCall, answer: unknown) => Promise<boolean> {
  const expected = new Map<string, Promise<string>>();
  const signal = new AbortController().signal;
  return async (call, answer) => {
    const key = JSON.stringify(call);
    let answerJson = expected.get(key);
    if (answerJson === undefined) {
      answerJson = (async () => {
        switch (call.task) {
          case 'sha256':
            return JSON.stringify(await tasks.sha256.run(call.input, { signal, progress: ignoreProgress }));
          case 'countPrimes':
            return JSON.stringify(await tasks.countPrimes.run(call.input, { signal, progress: ignoreProgress }));
          default:
            return JSON.stringify(tasks.blurImage.run(demoInput(call, 'base64') as tasks.BlurInput, { signal, progress: ignoreProgress }));
        }
      })();
      expected.set(key, answerJson);
    }
    return JSON.stringify(answer) === (await answerJson);
  };
}

// These calls run the tasks directly, with nobody listening for progress.
function ignoreProgress(): void {}
