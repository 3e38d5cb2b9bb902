import type { BackendTasksFrom, TypedBackend } from '@hybridcompute/core';
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
 * this entry; it holds no undici. Typed as the Node build is.
 *
 * @typeParam Tasks - optional: `typeof tasks` of the module the servers serve.
 * @typeParam Declared - inferred from `tasks`.
 *
 * @example
 * ```ts
 * const remote = createRemoteBackend({ endpoint: 'https://compute.example.com/compute', transport: 'websocket' });
 * ```
 */
export function createRemoteBackend<Tasks = never, const Declared extends readonly string[] = readonly string[]>(
  options: RemoteBackendOptions<Declared>,
): TypedBackend<RemoteBackend, BackendTasksFrom<Tasks, Declared>> {
  return new RemoteBackend(options, browserPlatform);
}

export * from './remote-api.js';
