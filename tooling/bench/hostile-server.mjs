// Child process of hostile-load.mjs: a compute server with the defaults, serving a
// no-op task and one that answers 1 MiB. Prints its port; answers 'memory' messages
// with its own heap (after a GC), Buffers and the number of 1 MiB answers it made.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const megabyte = 'x'.repeat(1024 * 1024);
let bigAnswers = 0;
const noop = defineTask('noop', (input) => input);
const big = defineTask('big', () => {
  bigAnswers++;
  return megabyte;
});

const server = createComputeServer({ tasks: [noop, big], maxConcurrency: 1024, ...JSON.parse(process.env.SERVER_OPTIONS ?? '{}') });
const { port } = await server.listen(0, '127.0.0.1');
process.on('message', (message) => {
  if (message !== 'memory') return;
  gc();
  const { heapUsed, arrayBuffers, rss } = process.memoryUsage();
  process.send({ heapUsed, arrayBuffers, rss, bigAnswers, connections: server.openConnections });
});
process.send({ port });
process.on('SIGTERM', () => process.exit(0));
