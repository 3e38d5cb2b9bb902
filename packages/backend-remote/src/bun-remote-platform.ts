import { Pool } from 'undici';
import { FetchHttpTransport } from './fetch-http-transport.js';
import type { RemotePlatform } from './remote-backend-options.js';
import type { WebSocketLike } from './websocket-like.js';

/**
 * Whether `undici` is the real package or Bun's built-in partial copy, which
 * Bun hands out for `import 'undici'` whatever node_modules holds.
 */
export const undiciIsPartial = typeof (Pool.prototype as { destroy?: unknown }).destroy !== 'function';

/** Bun: its `fetch` for HTTP and its WebSocket, which takes headers as undici's does; both take the `tls` option as their own `tls`. */
export const bunRemotePlatform: RemotePlatform = {
  createHttpTransport: (options) => new FetchHttpTransport(options.maxResponseBytes, options.tls),
  createWebSocket: (url, token, options) =>
    new (globalThis.WebSocket as unknown as new (url: URL, options?: { headers?: Record<string, string>; protocols?: string[]; tls?: object }) => WebSocketLike)(url, {
      ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
      ...(options?.protocols === undefined || options.protocols.length === 0 ? {} : { protocols: [...options.protocols] }),
      ...(options?.tls === undefined ? {} : { tls: options.tls }),
    }),
};
