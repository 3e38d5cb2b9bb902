import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Who made a call and over what, for the access log and metrics. */
export interface CallOrigin {
  transport: 'http' | 'websocket';
  /** The connection the call came on: its `remoteAddress` is read only when a line is logged. */
  socket: Socket | Duplex;
  /** The socket's `remoteAddress`, read when the first call observed on it starts (metrics or the access log on). */
  address?: string | undefined;
}
