// The module Web Worker of the browser test, bundled by esbuild for the browser.
import { defineTask } from '@hybridcompute/core';
import { exposeTasks, transfer } from '@hybridcompute/backend-worker/worker';

// Tells one worker from its replacement.
const workerId = Math.random().toString(36).slice(2);
// What the endless stream did, for the page to ask after it stopped reading.
const endless = { produced: 0, closed: false, aborted: false };

exposeTasks([
  defineTask('double', (n: number) => n * 2),
  defineTask('whoAmI', () => ({ workerId, hasDocument: typeof (globalThis as { document?: unknown }).document !== 'undefined' })),
  defineTask('invert', (buffer: ArrayBuffer) => {
    const bytes = new Uint8Array(buffer);
    for (let index = 0; index < bytes.length; index++) bytes[index] = 255 - bytes[index]!;
    return transfer(buffer, [buffer]);
  }),
  defineTask('fail', (code: string) => {
    throw Object.assign(new RangeError('refused in the browser'), { code });
  }),
  defineTask('later', (n: number) => new Promise<number>((resolve) => setTimeout(resolve, 5, n + 1))),
  defineTask('spin', () => {
    for (;;);
  }),
  defineTask('steps', async (count: number, { progress }) => {
    for (let step = 1; step <= count; step++) {
      progress(step);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return 'stepped';
  }),
  defineTask('tiles', async function* (count: number) {
    for (let index = 0; index < count; index++) {
      const tile = new Uint8Array(64).fill(index);
      yield transfer({ index, pixels: tile.buffer }, [tile.buffer]);
    }
    return 'tiled';
  }),
  defineTask('failAfter', async function* (after: number) {
    for (let index = 1; index <= after; index++) yield index;
    throw Object.assign(new Error('mid-stream'), { code: 'E_MID' });
  }),
  defineTask('endless', async function* (_input: null, { signal }) {
    signal.addEventListener('abort', () => (endless.aborted = true));
    try {
      for (;;) yield ++endless.produced;
    } finally {
      endless.closed = true;
    }
  }),
  defineTask('endlessState', () => endless),
]);
