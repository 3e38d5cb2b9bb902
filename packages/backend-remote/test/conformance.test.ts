import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createHybridCompute } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll } from 'vitest';
import { createRemoteBackend, type RemoteBackend } from '../src/index.js';

const token = 'conformance-token';
let server: ComputeServer;
let url: string;

beforeAll(async () => {
  // maxConcurrency 64 with a burst of 2,000: the client must hold back what the server would refuse.
  server = createComputeServer({ tasks: conformanceTasks, token, maxBodyBytes: 16 * 1024 * 1024, maxConcurrency: 64 });
  ({ url } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  await server.close();
});

for (const transport of ['http', 'websocket'] as const) {
  const label = transport === 'http' ? 'HTTP' : 'WebSocket';
  const connected = async (withToken = token): Promise<RemoteBackend> => {
    const remote = createRemoteBackend({ endpoint: url, transport, token: withToken });
    if (withToken === token) await remote.connect();
    return remote;
  };
  const capabilities = { wrongCredentials: () => connected('not-the-token'), burst: 2_000 };

  describeBackendConformance(`backend-remote over ${label}`, {
    createBackend: () => connected(),
    dispose: (backend) => (backend as RemoteBackend).close(),
    capabilities,
  });

  describeBackendConformance(`a router over backend-remote over ${label}`, {
    createBackend: async () => createHybridCompute({ remote: await connected() }),
    unknownTaskCode: 'NO_BACKEND',
    dispose: (backend) => backend.close?.() as Promise<void>,
    capabilities,
  });
}
