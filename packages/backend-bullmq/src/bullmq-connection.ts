import type { ConnectionOptions } from 'bullmq';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://` for
 * TLS), ioredis options, or an ioredis instance, as BullMQ takes them.
 */
export type BullmqConnection = string | ConnectionOptions;

/** BullMQ's connection options for a {@link BullmqConnection}. */
export function connectionOptionsOf(connection: BullmqConnection): ConnectionOptions {
  return typeof connection === 'string' ? { url: connection } : connection;
}
