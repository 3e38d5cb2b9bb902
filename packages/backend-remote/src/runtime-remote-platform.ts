import { bunRemotePlatform, runsOnBun } from './bun-remote-platform.js';
import { createNodeWebSocket } from './node-websocket.js';
import type { RemotePlatform } from './remote-backend-options.js';
import { UndiciHttpTransport } from './undici-http-transport.js';

/** Node and Deno: undici's keep-alive pools for HTTP, `ws` for WebSockets. */
const nodeRemotePlatform: RemotePlatform = {
  createHttpTransport: (options) => new UndiciHttpTransport(options),
  createWebSocket: createNodeWebSocket,
};

/** The platform of the runtime this process runs on (the Node entry's; browsers have their own). */
export const runtimeRemotePlatform: RemotePlatform = runsOnBun ? bunRemotePlatform : nodeRemotePlatform;
