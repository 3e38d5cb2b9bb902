import { conformanceTasks, describeBackendConformance, type BackendCapabilities } from '@hybridcompute/backend-conformance';
import { createHybridCompute } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll } from 'vitest';
import { createRemoteBackend, type RemoteBackend, type RemoteEncoding } from '../src/index.js';

const token = 'conformance-token';
let server: ComputeServer;
let url: string;

beforeAll(async () => {
  // maxConcurrency 64 with a burst of 2,000: the client must hold back what the server would refuse.
  // 64 MiB bodies: the values group sends a 16 MiB typed array.
  server = createComputeServer({ tasks: conformanceTasks, token, maxBodyBytes: 64 * 1024 * 1024, maxConcurrency: 64 });
  ({ url } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  await server.close();
});

for (const transport of ['http', 'websocket'] as const) {
  // 'auto' speaks MessagePack to this server, which offers it; 'json' is how a server of the older protocol is spoken to.
  for (const encoding of ['auto', 'json'] as const satisfies readonly RemoteEncoding[]) {
    const label = `${transport === 'http' ? 'HTTP' : 'WebSocket'}${encoding === 'json' ? ', JSON' : ', MessagePack'}`;
    const connected = async (withToken = token): Promise<RemoteBackend> => {
      const remote = createRemoteBackend({ endpoint: url, transport, token: withToken, encoding });
      if (withToken === token) await remote.connect();
      return remote;
    };
    const capabilities: BackendCapabilities = {
      wrongCredentials: () => connected('not-the-token'),
      burst: 2_000,
      values: encoding === 'json' ? 'json' : 'structured-clone',
      progress: true,
      streaming: true,
      // Over HTTP a stream is paced by TCP (the server pulls the generator only while the answer drains); a WebSocket counts credits.
      streamBackpressure: transport === 'http' ? 'transport' : 'chunks',
    };

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

    // A router nested in a router: what the outer one passes on (progress, streams, their deadlines) reaches the server.
    if (encoding === 'auto') {
      describeBackendConformance(`a router nested in a router over backend-remote over ${label}`, {
        createBackend: async () => createHybridCompute({ inner: createHybridCompute({ remote: await connected() }) }),
        unknownTaskCode: 'NO_BACKEND',
        dispose: (backend) => backend.close?.() as Promise<void>,
        capabilities,
      });
    }
  }
}
