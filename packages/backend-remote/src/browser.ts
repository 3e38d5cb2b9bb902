import type { BackendTasksFrom, TypedBackend } from '@hybridcompute/core';
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
 * The backend carries task types for the router: those of the type argument
 * (`createRemoteBackend<typeof tasks>`, with `import type * as tasks`: the
 * tasks run on the server, so the client loads none of their code), or else
 * the names in `tasks` with `unknown` inputs and outputs. With neither, it
 * carries none, and a router using it takes any task name.
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
