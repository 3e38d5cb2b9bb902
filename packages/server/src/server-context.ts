import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { CallRunner } from './call-runner.js';
import type { ServerSettings } from './compute-server-options.js';
import type { CorsPolicy } from './cors-policy.js';

/** What the HTTP and WebSocket handlers share: the settings, the call runner, the CORS policy, the token check, the connection limits. */
export interface ServerContext {
  settings: ServerSettings;
  runner: CallRunner;
  cors: CorsPolicy;
  /** Whether the request carries the token (or the server needs none); `queryToken` is a WebSocket URL's `access_token`. */
  authorized(request: IncomingMessage, queryToken?: string | null): boolean;
  /** Why this connection is refused (past `maxConnections`), or `undefined`. */
  refusedConnection(socket: Socket): string | undefined;
}
