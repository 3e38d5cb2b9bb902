// The floor of stream-worker.mjs: bare postMessage of the same small chunks, no library and no flow control.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', ({ id, to, objects }) => {
  for (let index = 0; index < to; index++) parentPort.postMessage({ id, value: objects ? { index } : index });
  parentPort.postMessage({ id, done: true });
});
