import type { ConnectionOptions } from 'bullmq';

/**
 * Where Redis is: a URL (`redis://user:pass@host:6379/0`, `rediss://` for
 * TLS), ioredis options, or an ioredis instance, as BullMQ takes them.
 *
 * @example
 * ```ts
 * const byUrl: BullmqConnection = 'rediss://default:secret@redis.example.com:6380/0';
 * const byOptions: BullmqConnection = { host: '127.0.0.1', port: 6379, db: 2 };
 * const queued = createBullmqBackend({ connection: byUrl, queue: 'compute' });
 * ```
 */
export type BullmqConnection = string | ConnectionOptions;

/** BullMQ's connection options for a {@link BullmqConnection}. */
export function connectionOptionsOf(connection: BullmqConnection): ConnectionOptions {
  return typeof connection === 'string' ? { url: connection } : connection;
}
