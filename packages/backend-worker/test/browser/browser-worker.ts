// The module Web Worker of the browser test, bundled by esbuild for the browser.
import { defineTask } from '@hybridcompute/core';
import { exposeTasks, transfer } from '@hybridcompute/backend-worker/worker';

// Tells one worker from its replacement.
const workerId = Math.random().toString(36).slice(2);

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
]);
