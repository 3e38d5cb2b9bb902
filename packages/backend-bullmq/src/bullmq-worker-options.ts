import { invalidArgumentError, type ComputeBackendLike } from '@hybridcompute/core';
import type { WorkerOptions } from 'bullmq';
import { connectionOptionsOf, type BullmqConnection } from './bullmq-connection.js';

/**
 * Options for {@link createBullmqWorker}.
 *
 * @example
 * ```ts
 * const options: BullmqWorkerOptions = {
 *   connection: { host: 'redis.internal', port: 6379, password: process.env.REDIS_PASSWORD },
 *   queue: 'compute',
 *   backend: createLocalBackend({ tasks }),
 *   concurrency: 8,
 *   lockDuration: 60_000, // tasks that block the event loop for long need a longer lock
 * };
 * const worker = createBullmqWorker(options);
 * ```
 */
export interface BullmqWorkerOptions {
  /** Where Redis is: a URL, ioredis options or an ioredis instance. */
  connection: BullmqConnection;
  /** The queue to consume: the one the callers' {@link createBullmqBackend} adds to. */
  queue: string;
  /** Runs the tasks: a local backend, a worker pool, a router, anything with `canRun` and `runTask`. */
  backend: ComputeBackendLike;
  /** How many jobs this process runs at once. Default 1. */
  concurrency?: number | undefined;
  /** BullMQ's key prefix. Default `'bull'`; callers must use the same. */
  prefix?: string | undefined;
  /**
   * Milliseconds a job's lock lasts without renewal (BullMQ's `lockDuration`,
   * default 30000). When a worker dies, its jobs run again elsewhere once the
   * lock has expired and the stalled-job check (`stalledInterval`) finds them.
   */
  lockDuration?: number | undefined;
  /** Milliseconds between stalled-job checks (BullMQ's `stalledInterval`, default 30000). */
  stalledInterval?: number | undefined;
  /** How many times a job may stall (its worker died) before it fails instead of running again. Default 1. */
  maxStalledCount?: number | undefined;
  /** Start consuming at once. Default true; otherwise call `worker.run()`. */
  autorun?: boolean | undefined;
}

/**
 * Checks {@link BullmqWorkerOptions} and turns them into BullMQ's worker options.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection or backend, a bad queue name or concurrency.
 */
export function readBullmqWorkerOptions(options: BullmqWorkerOptions): { queue: string; prefix: string; backend: ComputeBackendLike; worker: WorkerOptions } {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError('createBullmqWorker: options are required');
  if (typeof options.queue !== 'string' || options.queue.length === 0 || options.queue.includes(':')) {
    throw invalidArgumentError(`createBullmqWorker: queue must be a non-empty string without ':', got ${String(options.queue)}`);
  }
  const { backend } = options;
  if (typeof backend !== 'object' || backend === null || typeof backend.runTask !== 'function' || typeof backend.canRun !== 'function') {
    throw invalidArgumentError('createBullmqWorker: backend must have canRun() and runTask() methods');
  }
  if (options.connection === undefined || options.connection === null) {
    throw invalidArgumentError('createBullmqWorker: connection is required (a redis:// URL, ioredis options or an ioredis instance)');
  }
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw invalidArgumentError(`createBullmqWorker: concurrency must be an integer of at least 1, got ${String(options.concurrency)}`);
  }
  const prefix = options.prefix ?? 'bull';
  return {
    queue: options.queue,
    prefix,
    backend,
    worker: {
      connection: connectionOptionsOf(options.connection),
      prefix,
      concurrency,
      autorun: options.autorun ?? true,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    },
  };
}
