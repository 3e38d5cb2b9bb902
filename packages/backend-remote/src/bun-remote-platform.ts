import { FetchHttpTransport } from './fetch-http-transport.js';
import type { ChannelPlatform } from './lazy-websocket-channel.js';
import { createNodeWebSocket } from './node-websocket.js';
import { WebSocketChannel } from './websocket-channel.js';

/**
 * Whether this process is Bun. There `import 'undici'` gives Bun's built-in
 * partial copy whatever node_modules holds (its `Pool` has no `destroy`, and
 * its answers no body stream), so the HTTP half cannot be undici's pools.
 */
export const runsOnBun = typeof (globalThis as { process?: { versions?: { bun?: unknown } } }).process?.versions?.bun === 'string';

/**
 * Bun: its `fetch` for HTTP (Bun's own native client, which keeps a
 * connection pool of its own; measured faster there than `node:http` with a
 * keep-alive agent), and `ws` for WebSockets (both take the `tls` option), which Bun also swaps for a
 * built-in over its native client that still reports the upgrade's headers
 * and status and enforces `maxPayload`, as the package does on Node.
 */
export const bunRemotePlatform: ChannelPlatform = {
  createHttpTransport: (options) => new FetchHttpTransport(options.maxResponseBytes, options.tls),
  createWebSocket: createNodeWebSocket,
  createChannel: (options) => new WebSocketChannel(options),
};
