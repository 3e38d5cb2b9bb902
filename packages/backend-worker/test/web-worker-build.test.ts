import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { expect, it } from 'vitest';
// The universal entry: module Web Workers through globalThis.Worker, as in browsers.
import { createWorkerBackend } from '../src/index.js';

const url = new URL('./fixtures/web-conformance-worker.mjs', import.meta.url);

if (typeof (globalThis as { Worker?: unknown }).Worker === 'function') {
  // Bun and Deno have Web Workers: the browser build runs there as it does in Chromium.
  describeBackendConformance('backend-worker, Web Worker build', {
    createBackend: async () => {
      // One worker: the streaming group reads a stream's state through `streamProbe` in its thread.
      // A generous abortGrace: a worker replaced because a loaded machine was slow to stop a stream
      // would take the stream's state with it, and `streamProbe` would ask a fresh worker.
      const backend = createWorkerBackend({ url, size: 1, tasks: conformanceTasks, abortGrace: 2_000 });
      await backend.ready();
      return backend;
    },
    dispose: (backend) => backend.close?.() as Promise<void>,
    testTimeoutMs: 30_000,
  });
} else {
  it('fails ready() with BACKEND_UNAVAILABLE, naming the missing Web Worker, where there is none (Node)', async () => {
    const backend = createWorkerBackend({ url, size: 1 });
    await expect(backend.ready()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('no Web Worker') });
    await backend.close();
  });
}
