// The worker of stream-worker.mjs: streams of small chunks (numbers, small objects), a no-op, and an endless stream of buffers.
import { defineTask } from '@hybridcompute/core';
import { exposeTasks } from '@hybridcompute/backend-worker/worker';

let produced = 0;

exposeTasks([
  defineTask('count', async function* (to) {
    for (let index = 0; index < to; index++) yield index;
  }),
  defineTask('countObjects', async function* (to) {
    for (let index = 0; index < to; index++) yield { index };
  }),
  defineTask('noop', (value) => value),
  defineTask('endlessBuffers', async function* (bytes) {
    produced = 0;
    const chunk = new Uint8Array(bytes).fill(1);
    for (;;) {
      produced++;
      yield chunk;
    }
  }),
  defineTask('produced', () => produced),
]);
