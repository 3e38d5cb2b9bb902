// Child process of stream-ws.bench.mjs: a bare `ws` server that sends N small JSON frames when
// asked (the floor for a stream over WebSocket), and our compute server streaming the same chunks.
import { createServer } from 'node:http';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { WebSocketServer } from 'ws';

// The same chunk both ways: a small object.
const chunkOf = (index) => ({ index, value: index * 2 });

const count = defineTask('count', async function* (n) {
  for (let index = 0; index < n; index++) yield chunkOf(index);
});

const bareHttp = createServer();
const bare = new WebSocketServer({ server: bareHttp });
bare.on('connection', (socket) => {
  socket.on('message', (data) => {
    const { id, n } = JSON.parse(String(data));
    // As fast as the socket takes them: pause while ws buffers more than 1 MiB, as a careful bare server would.
    let index = 0;
    const pump = () => {
      while (index < n) {
        socket.send(JSON.stringify({ id, chunk: chunkOf(index++) }));
        if (socket.bufferedAmount > 1024 * 1024) return setImmediate(pump);
      }
      socket.send(JSON.stringify({ id, end: true }));
    };
    pump();
  });
});
await new Promise((resolve) => bareHttp.listen(0, '127.0.0.1', resolve));

const ours = createComputeServer({ tasks: [count], maxConcurrency: 1024 });
const { port } = await ours.listen(0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ bare: bareHttp.address().port, ours: port })}\n`);
process.on('SIGTERM', () => process.exit(0));
