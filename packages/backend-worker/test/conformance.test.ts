import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createHybridCompute, type ComputeBackendLike } from '@hybridcompute/core';
import { createWorkerBackend } from '../src/node/index.js';

const url = new URL('./fixtures/conformance-worker.mjs', import.meta.url);

// One worker: the streaming group reads a stream's state through `streamProbe`, which must run in
// the thread the stream runs in. Calls still run several at a time (concurrentTasksPerWorker).
async function startedBackend(): Promise<ReturnType<typeof createWorkerBackend>> {
  // A generous abortGrace: a worker replaced because a loaded machine was slow to stop a stream
  // would take the stream's state with it, and `streamProbe` would ask a fresh worker.
  const backend = createWorkerBackend({ url, size: 1, tasks: conformanceTasks, abortGrace: 2_000 });
  await backend.ready();
  return backend;
}

describeBackendConformance('backend-worker (worker_threads)', {
  createBackend: startedBackend,
  backendName: 'worker',
  dispose: (backend) => backend.close?.() as Promise<void>,
  testTimeoutMs: 30_000,
});

describeBackendConformance('a router over backend-worker', {
  createBackend: async () => createHybridCompute({ worker: await startedBackend() }),
  unknownTaskCode: 'NO_BACKEND',
  backendName: 'worker',
  dispose: (backend) => backend.close?.() as Promise<void>,
  testTimeoutMs: 30_000,
});

describeBackendConformance('a router nested in a router over backend-worker', {
  createBackend: async () => createHybridCompute({ inner: createHybridCompute({ worker: await startedBackend() }) }),
  unknownTaskCode: 'NO_BACKEND',
  // The outer router's own deadline names the backend it tried: 'inner'.
  dispose: (backend) => backend.close?.() as Promise<void>,
  testTimeoutMs: 30_000,
});

// 'fastest' places every 'auto' call and stream among the backends that can run the task: a second backend (of a
// task the suite never asks for) puts the router on that path, while the suite's tasks, and streamProbe, stay on one worker.
const elsewhere: ComputeBackendLike = { canRun: (taskName) => taskName === 'elsewhere', runTask: async () => 'elsewhere' };
describeBackendConformance("a router placing 'fastest' over backend-worker", {
  createBackend: async () => createHybridCompute({ worker: await startedBackend(), elsewhere }, { placement: 'fastest' }),
  unknownTaskCode: 'NO_BACKEND',
  backendName: 'worker',
  dispose: (backend) => backend.close?.() as Promise<void>,
  testTimeoutMs: 30_000,
});
