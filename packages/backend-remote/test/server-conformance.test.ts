// Lives here, not in packages/server: the server cannot depend on backend-remote, which depends on it (turbo refuses the cycle).
import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll } from 'vitest';
import { createRemoteBackend, type RemoteBackend } from '../src/index.js';

// The server's own handling of a call, checked by the suite every backend passes, with
// backend-remote as the client and the server's options in play: a token, and the
// admission limit of 64 that a burst of 2,000 calls must get through without a refusal.
const token = 'conformance-token';
let server: ComputeServer;
let url: string;

beforeAll(async () => {
  server = createComputeServer({ tasks: conformanceTasks, token, maxConcurrency: 64, maxBodyBytes: 16 * 1024 * 1024 });
  ({ url } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  await server.close();
});

async function connected(transport: 'http' | 'websocket', withToken = token): Promise<RemoteBackend> {
  const remote = createRemoteBackend({ endpoint: url, transport, token: withToken });
  await remote.connect().catch(() => {});
  return remote;
}

for (const transport of ['http', 'websocket'] as const) {
  describeBackendConformance(`the server, called by backend-remote over ${transport}`, {
    createBackend: () => connected(transport),
    dispose: (backend) => (backend as RemoteBackend).close(),
    capabilities: {
      wrongCredentials: () => createRemoteBackend({ endpoint: url, transport, token: 'wrong-token' }),
      burst: 2_000,
    },
  });
}
