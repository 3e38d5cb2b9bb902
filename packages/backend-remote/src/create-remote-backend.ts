import { createNodeWebSocket } from './node-websocket.js';
import type { RemoteBackendOptions, RemotePlatform } from './remote-backend-options.js';
import { RemoteBackend } from './remote-backend.js';
import { UndiciHttpTransport } from './undici-http-transport.js';

const nodePlatform: RemotePlatform = {
  createHttpTransport: (options) => new UndiciHttpTransport(options),
  createWebSocket: createNodeWebSocket,
};

/**
 * Creates a backend that runs tasks on compute servers: HTTP on undici's
 * keep-alive pools (the default) or a multiplexed WebSocket (`ws`).
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing or malformed endpoint or option.
 *
 * @example
 * ```ts
 * import { createRemoteBackend } from '@hybridcompute/backend-remote';
 *
 * const remote = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute', token, timeout: 5_000 });
 * await remote.connect(); // canRun now knows the server's tasks, and the client its admission limit
 * const compute = createHybridCompute({ local, remote });
 * ```
 */
export function createRemoteBackend(options: RemoteBackendOptions): RemoteBackend {
  return new RemoteBackend(options, nodePlatform);
}
