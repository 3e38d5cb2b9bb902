import { FetchHttpTransport } from './fetch-http-transport.js';
import type { RemoteBackendOptions, RemotePlatform } from './remote-backend-options.js';
import { RemoteBackend } from './remote-backend.js';
import type { WebSocketLike } from './websocket-like.js';

const browserPlatform: RemotePlatform = {
  createHttpTransport: (options) => new FetchHttpTransport(options.maxResponseBytes),
  // Browsers cannot set headers on a WebSocket: the token goes in the query.
  createWebSocket: (url, token, options) => {
    const withToken = new URL(url);
    if (token !== undefined) withToken.searchParams.set('access_token', token);
    const socket = new globalThis.WebSocket(withToken, options?.protocols === undefined ? [] : [...options.protocols]);
    // Binary frames as ArrayBuffers, which the channel decodes at once (a Blob would need an await).
    socket.binaryType = 'arraybuffer';
    return socket as unknown as WebSocketLike;
  },
};

/**
 * Creates a backend that runs tasks on compute servers, in a browser: `fetch`
 * for HTTP and the native WebSocket. The `browser` export condition selects
 * this entry; it holds no undici and no `ws`.
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
