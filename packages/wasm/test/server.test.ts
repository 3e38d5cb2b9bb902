import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { describe, expect, it } from 'vitest';
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

describe('WebAssembly tasks on the server, over plain HTTP', () => {
  it('answers a wrong argument with 400 INVALID_REQUEST and a trap with 422 TASK_FAILED; the server stays up', async () => {
    const server = createComputeServer({ tasks });
    const { url } = await server.listen(0, '127.0.0.1');
    try {
      const post = async (body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      // The argument check runs inside the task's run; the caller's mistake is a 400, as a schema's refusal is.
      expect(await post({ task: 'add', input: ['x', 1] })).toMatchObject({
        status: 400,
        body: { code: 'INVALID_REQUEST', error: 'input[0] must be a number, got a string', taskName: 'add' },
      });
      expect(await post({ task: 'crash' })).toMatchObject({ status: 422, body: { code: 'TASK_FAILED', cause: { name: 'RuntimeError' } } });
      expect(await post({ task: 'add', input: [1, 2] })).toEqual({ status: 200, body: { result: 3 } });
    } finally {
      await server.close();
    }
  });
});
