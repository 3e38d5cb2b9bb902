import { RemoteBackend, type RemoteBackendOptions, type RemotePlatform } from './create-remote-backend.js';
import { FetchHttpTransport } from './fetch-http-transport.js';
import type { WebSocketLike } from './websocket-channel.js';

const browserPlatform: RemotePlatform = {
  createHttpTransport: () => new FetchHttpTransport(),
  // Browsers cannot set headers on a WebSocket: the token goes in the query.
  createWebSocket: (url, token) => {
    const withToken = new URL(url);
    if (token !== undefined) withToken.searchParams.set('access_token', token);
    return new globalThis.WebSocket(withToken) as unknown as WebSocketLike;
  },
};

/**
 * Creates a backend that runs tasks on compute servers, in a browser: `fetch`
 * for HTTP and the native WebSocket. The `browser` export condition selects
 * this entry; it holds no undici.
 *
 * @example
 * ```ts
 * const remote = createRemoteBackend({ endpoint: 'https://compute.example.com/compute', transport: 'websocket' });
 * ```
 */
export function createRemoteBackend(options: RemoteBackendOptions): RemoteBackend {
  return new RemoteBackend(options, browserPlatform);
}

export * from './remote-api.js';
