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

/** The part of BullMQ's ioredis client the caller's side uses beyond what BullMQ types. */
export interface RedisClientLike {
  readonly status: string;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  publish(channel: string, message: string): Promise<unknown>;
  xrevrange(key: string, end: string, start: string, count: 'COUNT', n: number): Promise<[string, string[]][]>;
}

/** The id of the newest event in a queue's events stream, or `'0-0'` when it has none: where to start reading. */
export async function newestEventId(client: RedisClientLike, eventsKey: string): Promise<string> {
  const newest = await client.xrevrange(eventsKey, '+', '-', 'COUNT', 1);
  return newest[0]?.[0] ?? '0-0';
}
