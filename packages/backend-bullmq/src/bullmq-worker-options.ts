import { invalidArgumentError, maxTimerDelay, type ComputeBackendLike } from '@hybridcompute/core';
import type { WorkerOptions } from 'bullmq';
import { connectionOptionsOf, type BullmqConnection } from './bullmq-connection.js';

// Recovery defaults for compute calls, whose callers wait: a SIGKILLed worker's jobs run again
// once their lock has expired (at most lockDuration after the kill) and a stalled-job check has
// found them (one to two stalledIntervals: a dead worker's last check can hold off the next), so
// within 5 to 7 s, instead of the minute or more of BullMQ's 30000 / 30000, made for background
// jobs. The cost: a task must not block the event loop for more than half the lock (2.5 s), or
// it may run twice. Measured by tooling/bench/bullmq-recovery.mjs.
const defaultLockDuration = 5_000;
const defaultStalledInterval = 1_000;
const defaultMaxStalledCount = 1;
// Below this, lock renewals and stall checks flood Redis and an ordinary GC pause loses a lock.
const minimumLockMilliseconds = 100;

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
 *   lockDuration: 60_000, // tasks that block this event loop for seconds need a longer lock than the default 5000
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
   * Milliseconds a job's lock lasts without renewal (BullMQ's `lockDuration`).
   * Default 5000 here (BullMQ's own is 30000): a compute call's caller is
   * waiting. The worker renews its locks every quarter to half of this, from
   * its event loop; when a worker dies, its jobs run again elsewhere once the
   * lock has expired and a stalled-job check finds them, so within
   * `lockDuration` plus one to two `stalledInterval`s. A task that blocks the event loop
   * (synchronous work on a local backend) for longer than half of it can lose
   * its lock and run a second time: raise it for such tasks, or run them on a
   * worker-thread backend, which keeps the event loop free. An integer from
   * 100 to setTimeout's limit.
   */
  lockDuration?: number | undefined;
  /**
   * Milliseconds between stalled-job checks (BullMQ's `stalledInterval`).
   * Default 1000 here (BullMQ's own is 30000). One check runs per interval
   * for the whole queue, whichever worker runs it; it reads the list of jobs
   * running, so raise it for a queue with thousands of jobs running at once.
   * An integer from 100 to setTimeout's limit.
   */
  stalledInterval?: number | undefined;
  /**
   * How many times a job may stall (its worker died, or stopped renewing its
   * lock) and run again before it fails instead. Default 1, as in BullMQ. An
   * integer of at least 0.
   */
  maxStalledCount?: number | undefined;
  /** Start consuming at once. Default true; otherwise call `worker.run()`. */
  autorun?: boolean | undefined;
}

/**
 * Checks {@link BullmqWorkerOptions} and turns them into BullMQ's worker options.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection or backend, a bad queue name, concurrency, lock duration, stalled interval or stall count.
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
  const maxStalledCount = options.maxStalledCount === undefined ? defaultMaxStalledCount : options.maxStalledCount;
  if (!(Number.isInteger(maxStalledCount) && maxStalledCount >= 0)) {
    throw invalidArgumentError(`createBullmqWorker: maxStalledCount must be an integer of at least 0, got ${String(options.maxStalledCount)}`);
  }
  return {
    queue: options.queue,
    prefix,
    backend,
    worker: {
      connection: connectionOptionsOf(options.connection),
      prefix,
      concurrency,
      autorun: options.autorun ?? true,
      lockDuration: lockMilliseconds('lockDuration', options.lockDuration, defaultLockDuration),
      stalledInterval: lockMilliseconds('stalledInterval', options.stalledInterval, defaultStalledInterval),
      maxStalledCount,
    },
  };
}

function lockMilliseconds(what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  // Redis takes a lock's lifetime in whole milliseconds.
  if (typeof value === 'number' && Number.isInteger(value) && value >= minimumLockMilliseconds && value <= maxTimerDelay) return value;
  throw invalidArgumentError(`createBullmqWorker: ${what} must be an integer number of milliseconds from ${minimumLockMilliseconds} to ${maxTimerDelay}, got ${String(value)}`);
}
