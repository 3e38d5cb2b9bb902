import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { describeWasmTasksOn } from './describe-wasm-tasks-on.js';
import * as tasks from './fixtures/wasm-tasks.mjs';

// A real server on a loopback port, serving the tasks module; our remote backend is the client.
const servers = new WeakMap<object, ComputeServer>();

for (const transport of ['http', 'websocket'] as const) {
  describeWasmTasksOn(`the server, through backend-remote over ${transport}`, {
    createBackend: async () => {
      const server = createComputeServer({ tasks });
      const { url } = await server.listen(0, '127.0.0.1');
      const remote = createRemoteBackend({ endpoint: url, transport });
      await remote.connect();
      servers.set(remote, server);
      return remote;
    },
    dispose: async (backend) => {
      await backend.close?.();
      await servers.get(backend)?.close();
    },
    structuredValues: false,
  });
}
