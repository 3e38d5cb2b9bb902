import { ComputeError, defineTask, type TaskContext } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

// What the task on the server saw, by call tag.
const started = new Map<string, AbortSignal>();
const aborted = new Map<string, unknown>();
const watch = defineTask(
  'watch',
  (tag: string, { signal }: TaskContext) =>
    new Promise<never>((_resolve, reject) => {
      started.set(tag, signal);
      signal.addEventListener('abort', () => {
        aborted.set(tag, signal.reason);
        reject(signal.reason);
      });
    }),
);

let server: ComputeServer;
let url: string;
beforeAll(async () => {
  server = createComputeServer({ tasks: [watch] });
  ({ url } = await server.listen());
});
afterAll(() => server.close());

describe.each(['http', 'websocket'] as const)('cancellation over %s', (transport) => {
  it("aborting a client call aborts the task's signal on the server", async () => {
    const remote = createRemoteBackend({ endpoint: url, transport });
    const controller = new AbortController();
    const tag = `abort-${transport}`;
    const call = remote.runTask('watch', tag, { signal: controller.signal }).catch((error: unknown) => error);
    await expect.poll(() => started.has(tag)).toBe(true);
    controller.abort();
    const error = await call;
    expect(ComputeError.isInstance(error) && error.code).toBe('TASK_ABORTED');
    await expect.poll(() => aborted.has(tag), { timeout: 10_000 }).toBe(true);
    expect(aborted.get(tag)).toMatchObject({ code: 'TASK_ABORTED' });
    await remote.close();
  });

  it("the call's timeout travels with it: the server stops the task too", async () => {
    // Long enough for the task to start on a loaded machine (the suite runs two packages at once per runtime):
    // a call whose deadline passes before it reaches the server never starts, and there is nothing to stop.
    const remote = createRemoteBackend({ endpoint: url, transport, timeout: 1_000 });
    const tag = `timeout-${transport}`;
    await expect(remote.runTask('watch', tag)).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
    await expect.poll(() => aborted.has(tag), { timeout: 10_000 }).toBe(true);
    // The server's own timer or the client hanging up: either way the task was told to stop.
    expect(['TASK_TIMEOUT', 'TASK_ABORTED']).toContain((aborted.get(tag) as ComputeError).code);
    await remote.close();
  });
});
