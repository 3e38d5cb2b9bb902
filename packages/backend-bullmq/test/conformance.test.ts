import { conformanceTasks, describeBackendConformance, type BackendUnderTest } from '@hybridcompute/backend-conformance';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute } from '@hybridcompute/core';
import { inject } from 'vitest';
import { createBullmqBackend, createBullmqWorker, type BullmqWorker } from '../src/index.js';
import { uniqueQueueName } from './queue-name.js';

const redisUrl = inject('redisUrl');
// Each backend under test gets its own queue and a worker on it; both close in dispose.
const workers = new WeakMap<BackendUnderTest, BullmqWorker>();

async function queuedBackend(label: string, wrapInRouter: boolean): Promise<BackendUnderTest> {
  const queue = uniqueQueueName(label);
  const worker = createBullmqWorker({
    connection: redisUrl,
    queue,
    backend: createLocalBackend({ tasks: conformanceTasks }),
    concurrency: 100,
  });
  await worker.waitUntilReady();
  const bullmq = createBullmqBackend({ connection: redisUrl, queue, tasks: conformanceTasks, timeout: 15_000 });
  const backend = wrapInRouter ? createHybridCompute({ bullmq }) : bullmq;
  workers.set(backend, worker);
  return backend;
}

async function dispose(backend: BackendUnderTest): Promise<void> {
  await backend.close?.();
  await workers.get(backend)?.close(true);
}

describeBackendConformance('backend-bullmq', {
  // Progress travels as job progress events; a queue's job carries one answer, so no streams: declared, not skipped.
  capabilities: { progress: true, streaming: false },
  createBackend: () => queuedBackend('conformance', false),
  dispose,
  backendName: 'bullmq',
  testTimeoutMs: 30_000,
});

describeBackendConformance('a router over backend-bullmq', {
  // Progress travels as job progress events; a queue's job carries one answer, so no streams: declared, not skipped.
  capabilities: { progress: true, streaming: false },
  createBackend: () => queuedBackend('conformance-router', true),
  unknownTaskCode: 'NO_BACKEND',
  dispose,
  backendName: 'bullmq',
  testTimeoutMs: 30_000,
});
