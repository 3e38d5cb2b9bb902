import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { afterAll, describe, expect, it } from 'vitest';
import { createComputeServer } from '../src/index.js';
import { fixture } from './cli-process.js';
import { closeClient, post } from './http-client.js';

afterAll(closeClient);

function poolOf(tasksModule: string): ReturnType<typeof createWorkerBackend> {
  return createWorkerBackend({
    url: new URL('../dist/cli-worker.js', import.meta.url),
    size: 1,
    workerOptions: { workerData: { tasksModule: new URL(`file://${fixture(tasksModule)}`).href } },
  });
}

describe('listen() over a backend with ready()', () => {
  it('answers the first call made right after listen() from a pool nobody awaited, instead of TASK_NOT_FOUND', async () => {
    const pool = poolOf('worker-tasks.mjs');
    const server = createComputeServer({ backend: pool });
    try {
      const { url } = await server.listen(0);
      const answer = await post(url, { task: 'double', input: 21 });
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ result: 42 });
    } finally {
      await server.close();
      await pool.close();
    }
  });

  it('rejects listen() with the pool\'s own error when its workers cannot load their module, and listens on nothing', async () => {
    const pool = poolOf('not-tasks.mjs');
    const server = createComputeServer({ backend: pool });
    try {
      await expect(server.listen(0)).rejects.toThrow();
      expect(server.httpServer.listening).toBe(false);
    } finally {
      await server.close();
      await pool.close();
    }
  });
});
