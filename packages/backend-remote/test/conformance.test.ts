import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createHybridCompute } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll } from 'vitest';
import { createRemoteBackend, type RemoteBackend } from '../src/index.js';

let server: ComputeServer;
let url: string;

beforeAll(async () => {
  server = createComputeServer({ tasks: conformanceTasks, maxBodyBytes: 16 * 1024 * 1024, maxConcurrency: 1024 });
  ({ url } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  await server.close();
});

async function connected(transport: 'http' | 'websocket'): Promise<RemoteBackend> {
  const remote = createRemoteBackend({ endpoint: url, transport });
  await remote.connect();
  return remote;
}

describeBackendConformance('backend-remote over HTTP', {
  // Progress and streams do not cross this transport yet: declared, not skipped.
  capabilities: { progress: false, streaming: false },
  createBackend: () => connected('http'),
  dispose: (backend) => (backend as RemoteBackend).close(),
});

describeBackendConformance('backend-remote over WebSocket', {
  // Progress and streams do not cross this transport yet: declared, not skipped.
  capabilities: { progress: false, streaming: false },
  createBackend: () => connected('websocket'),
  dispose: (backend) => (backend as RemoteBackend).close(),
});

describeBackendConformance('a router over backend-remote', {
  // Progress and streams do not cross this transport yet: declared, not skipped.
  capabilities: { progress: false, streaming: false },
  createBackend: async () => createHybridCompute({ remote: await connected('http') }),
  unknownTaskCode: 'NO_BACKEND',
  dispose: (backend) => backend.close?.() as Promise<void>,
});
