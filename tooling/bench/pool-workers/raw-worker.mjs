// The floor: bare postMessage, no library, several calls in flight per worker.
import { parentPort } from 'node:worker_threads';
import { cpuWork } from './cpu-work.mjs';

parentPort.on('message', (message) => {
  parentPort.postMessage({ id: message.id, result: message.task === 'cpu' ? cpuWork(message.value) : message.value });
});
