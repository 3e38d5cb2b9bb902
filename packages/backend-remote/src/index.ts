import { WebSocket } from 'undici';
import { bunRemotePlatform, undiciIsPartial } from './bun-remote-platform.js';
import { RemoteBackend, type RemoteBackendOptions, type RemotePlatform } from './create-remote-backend.js';
import { UndiciHttpTransport } from './undici-http-transport.js';
import type { WebSocketLike } from './websocket-channel.js';

const nodePlatform: RemotePlatform = {
  createHttpTransport: (options) => new UndiciHttpTransport(options),
  // undici's WebSocket takes headers, so the token never appears in a URL.
  createWebSocket: (url, token) =>
    new WebSocket(url, token === undefined ? undefined : { headers: { authorization: `Bearer ${token}` } }) as unknown as WebSocketLike,
};

/**
 * Creates a backend that runs tasks on compute servers: HTTP on undici's
 * keep-alive pools (the default) or a multiplexed WebSocket. On Bun, whose
 * `undici` is a partial copy, HTTP goes through Bun's own pooled `fetch`.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing or malformed endpoint or option.
 *
 * @example
 * ```ts
 * import { createRemoteBackend } from '@hybridcompute/backend-remote';
 *
 * const remote = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute', token, timeout: 5_000 });
 * await remote.connect(); // canRun now knows the server's tasks
 * const compute = createHybridCompute({ local, remote });
 * ```
 */
export function createRemoteBackend(options: RemoteBackendOptions): RemoteBackend {
  return new RemoteBackend(options, undiciIsPartial ? bunRemotePlatform : nodePlatform);
}

export * from './remote-api.js';
