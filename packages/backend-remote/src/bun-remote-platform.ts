import { Pool } from 'undici';
import { BunFetchHttpTransport } from './bun-fetch-http-transport.js';
import type { RemotePlatform } from './create-remote-backend.js';
import type { WebSocketLike } from './websocket-channel.js';

/**
 * Whether `undici` is the real package or Bun's built-in partial copy, which
 * Bun hands out for `import 'undici'` whatever node_modules holds.
 */
export const undiciIsPartial = typeof (Pool.prototype as { destroy?: unknown }).destroy !== 'function';

/** Bun: its `fetch` for HTTP and its WebSocket, which takes headers as undici's does. */
export const bunRemotePlatform: RemotePlatform = {
  createHttpTransport: () => new BunFetchHttpTransport(),
  createWebSocket: (url, token) =>
    new (globalThis.WebSocket as unknown as new (url: URL, options?: { headers: Record<string, string> }) => WebSocketLike)(
      url,
      token === undefined ? undefined : { headers: { authorization: `Bearer ${token}` } },
    ),
};
