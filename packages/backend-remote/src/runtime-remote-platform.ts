import { bunRemotePlatform, runsOnBun } from './bun-remote-platform.js';
import type { ChannelPlatform } from './lazy-websocket-channel.js';
import { createNodeWebSocket } from './node-websocket.js';
import { UndiciHttpTransport } from './undici-http-transport.js';
import { WebSocketChannel } from './websocket-channel.js';

/** Node and Deno: undici's keep-alive pools for HTTP, `ws` for WebSockets. */
const nodeRemotePlatform: ChannelPlatform = {
  createHttpTransport: (options) => new UndiciHttpTransport(options),
  createWebSocket: createNodeWebSocket,
  createChannel: (options) => new WebSocketChannel(options),
};

/** The platform of the runtime this process runs on (the Node entry's; browsers have their own, which loads the channel by `import()`). */
export const runtimeRemotePlatform: ChannelPlatform = runsOnBun ? bunRemotePlatform : nodeRemotePlatform;
