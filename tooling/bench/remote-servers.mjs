// Child process of remote-throughput.mjs: a bare node:http JSON handler (the floor
// for HTTP) and our compute server, both serving a no-op task; prints their ports.
import { createServer } from 'node:http';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';

const noop = defineTask('noop', (input) => input);

const bare = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const { input } = JSON.parse(Buffer.concat(chunks).toString());
    const json = JSON.stringify({ result: input });
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
    response.end(json);
  });
});
bare.keepAliveTimeout = 65_000;
await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));

// 64 MiB bodies: bench:values echoes a 1 MiB Float64Array, which is several MiB as JSON digits.
const ours = createComputeServer({ tasks: [noop], maxConcurrency: 1024, maxBodyBytes: 64 * 1024 * 1024 });
const { port } = await ours.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ bare: bare.address().port, ours: port })}\n`);
process.on('SIGTERM', () => process.exit(0));
