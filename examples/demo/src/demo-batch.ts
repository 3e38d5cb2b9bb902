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
 * `countPrimes` (below 12,000 to 20,000: one chunk, so a run on the caller's
 * thread is timed whole) and `blurImage` (192×192, radius 2: some 4 ms, over
 * the router's `localBudgetMs`, so `'auto'` moves it off the thread),
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
        return { task: 'countPrimes', input: 12_000 + (index % 5) * 2_000 };
      default:
        return { task: 'blurImage', image: { width: 192, height: 192, radius: 2, seed } };
    }
  });
}

/**
 * The input to send for `call`. A blur's pixels are made fresh each time they
 * go as an ArrayBuffer, because a transfer detaches them from this side; as
 * base64 text they are encoded once per image and reused (a string cannot be
 * detached), so the caller's thread spends its time on the calls, not on
 * encoding the same pixels again.
 */
export function demoInput(call: DemoCall, pixelsAs: PixelsAs): unknown {
  if (call.task !== 'blurImage') return call.input;
  const { width, height, radius, seed } = call.image;
  if (pixelsAs === 'base64') return { width, height, radius, pixels: base64PixelsOf(call.image) };
  const pixels = fillPseudoRandom(new Uint8Array(width * height * 4), seed);
  return transfer({ width, height, radius, pixels: pixels.buffer }, [pixels.buffer]);
}

const base64Pixels = new Map<string, string>();

function base64PixelsOf({ width, height, seed }: DemoImage): string {
  const key = `${width}x${height}:${seed}`;
  let text = base64Pixels.get(key);
  if (text === undefined) {
    text = toBase64(fillPseudoRandom(new Uint8Array(width * height * 4), seed));
    base64Pixels.set(key, text);
  }
  return text;
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
async function ignoreProgress(): Promise<void> {}
