import {
  collectTasks,
  invalidArgumentError,
  isTimerDelay,
  maxTimerDelay,
  type RunTaskOptions,
  type TaskCollection,
} from '@hybridcompute/core';
import type { BackoffOptions, JobsOptions } from 'bullmq';
import type { BullmqConnection } from './bullmq-connection.js';

/**
 * How a task opts in to being retried after it fails: BullMQ's `attempts` and `backoff`.
 *
 * @example
 * ```ts
 * const resizeRetry: BullmqRetryOptions = { attempts: 3, backoff: { type: 'exponential', delay: 1_000 } };
 * const queued = createBullmqBackend({ connection: 'redis://127.0.0.1:6379', queue: 'compute', retry: { resize: resizeRetry } });
 * ```
 */
export interface BullmqRetryOptions {
  /** How many times the job may run in all, the first run included. At least 1. */
  attempts: number;
  /** Milliseconds between attempts, or BullMQ's `{ type: 'fixed' | 'exponential', delay }`. */
  backoff?: number | BackoffOptions | undefined;
}

/**
 * The BullMQ job options {@link createBullmqBackend} lets you set for every job.
 *
 * @example
 * ```ts
 * // Keep finished jobs for ten minutes only: idempotency keys then hold for ten minutes.
 * const jobOptions: BullmqJobOptions = { removeOnComplete: { age: 600 }, removeOnFail: { age: 600 } };
 * const queued = createBullmqBackend({ connection: 'redis://127.0.0.1:6379', queue: 'compute', jobOptions });
 * ```
 */
export type BullmqJobOptions = Pick<JobsOptions, 'priority' | 'lifo' | 'removeOnComplete' | 'removeOnFail' | 'keepLogs' | 'sizeLimit'>;

/**
 * Options for {@link createBullmqBackend}.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 *
 * const options: BullmqBackendOptions = {
 *   connection: 'redis://127.0.0.1:6379',
 *   queue: 'compute',
 *   tasks,
 *   timeout: 60_000,
 *   idempotencyKey: (taskName, input) => (taskName === 'charge' ? `order-${(input as { orderId: number }).orderId}` : undefined),
 * };
 * const queued = createBullmqBackend(options);
 * ```
 *
 * @typeParam Declared - the type of `tasks`, which types the backend for the router.
 */
export interface BullmqBackendOptions<Declared extends readonly string[] | TaskCollection = readonly string[] | TaskCollection> {
  /** Where Redis is: a URL, ioredis options or an ioredis instance. */
  connection: BullmqConnection;
  /** The BullMQ queue the jobs go to; the workers of {@link createBullmqWorker} consume the same name. */
  queue: string;
  /**
   * The tasks the workers serve: names, or the task definitions themselves
   * (array, record or module namespace). `canRun` and `taskNames` answer from
   * these, and an unknown task rejects with `TASK_NOT_FOUND` without a trip
   * to Redis. Without them, `canRun` says yes to every name and the worker decides.
   * They also type the backend: definitions by their types, names with `unknown` inputs and outputs.
   */
  tasks?: Declared | undefined;
  /** Milliseconds a call may take from `runTask` until its result, queueing included. Default 30000. */
  timeout?: number | undefined;
  /**
   * Milliseconds to wait for Redis to accept a job before the call rejects
   * with `BACKEND_UNAVAILABLE`. Default 5000. When the connection is known to
   * be down, calls reject at once. A call whose deadline comes first rejects
   * with `TASK_TIMEOUT` at its deadline.
   */
  connectTimeout?: number | undefined;
  /**
   * Milliseconds after which a call still waiting asks Redis for its job's
   * state instead of relying on the event alone, and again at this interval.
   * Events can be missed: BullMQ trims its events stream (10,000 entries by
   * default), which a busy queue fills in seconds. Default 5000.
   */
  recheckInterval?: number | undefined;
  /** The name errors report as their `backend`. Default `'bullmq'`. */
  name?: string | undefined;
  /** BullMQ's key prefix. Default `'bull'`; workers must use the same. */
  prefix?: string | undefined;
  /** Tasks that opt in to retries after a failure, by task name. Others run once. */
  retry?: { readonly [taskName: string]: BullmqRetryOptions } | undefined;
  /**
   * BullMQ options for every job. Defaults: completed jobs kept for an hour
   * (and at most 10,000), failed ones for a day (at most 10,000): long enough
   * for idempotency keys to find them, short enough to keep Redis small.
   */
  jobOptions?: BullmqJobOptions | undefined;
  /**
   * Derives an idempotency key from a call, for calls that come through a
   * router (which cannot pass one). Return `undefined` for calls without one.
   */
  idempotencyKey?: ((taskName: string, input: unknown) => string | undefined) | undefined;
}

/**
 * The third argument of {@link BullmqBackend.runTask}: `{ signal, timeout }`
 * as on every backend, plus an idempotency key for direct callers.
 *
 * @example
 * ```ts
 * const options: BullmqRunTaskOptions = { idempotencyKey: 'order-17', timeout: 120_000, signal: AbortSignal.timeout(120_000) };
 * await queued.runTask('charge', { orderId: 17, cents: 500 }, options);
 * ```
 */
export interface BullmqRunTaskOptions extends RunTaskOptions {
  /**
   * Milliseconds from the call until it rejects with `TASK_TIMEOUT`, time in
   * the queue included, instead of the backend's `timeout`: from 0 to
   * setTimeout's limit. The worker is told the deadline and enforces it too.
   */
  timeout?: number | undefined;
  /**
   * Calls with the same key (for the same task) share one job: while that job
   * is kept in Redis, a second call waits for it, or gets its result, instead
   * of enqueueing the work again. They share its deadline too: the worker
   * enforces the deadline of the call that created the job, so a later call
   * with a longer `timeout` still rejects with `TASK_TIMEOUT` when that one passes.
   */
  idempotencyKey?: string | undefined;
}

/** {@link BullmqBackendOptions} once checked, with the defaults filled in. */
export interface CheckedBullmqBackendOptions {
  readonly name: string;
  readonly queueName: string;
  readonly connection: BullmqConnection;
  readonly prefix: string;
  readonly taskNames: ReadonlySet<string> | undefined;
  readonly timeout: number;
  readonly connectTimeout: number;
  readonly recheckInterval: number;
  readonly retry: BullmqBackendOptions['retry'];
  readonly jobOptions: BullmqJobOptions;
  readonly idempotencyKey: BullmqBackendOptions['idempotencyKey'];
}

const defaultJobOptions: BullmqJobOptions = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 86_400, count: 10_000 },
};

/**
 * Checks {@link BullmqBackendOptions} and fills in the defaults.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection, a bad queue name or a bad option.
 */
export function readBullmqBackendOptions(options: BullmqBackendOptions): CheckedBullmqBackendOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgumentError('createBullmqBackend: options are required');
  if (typeof options.queue !== 'string' || options.queue.length === 0 || options.queue.includes(':')) {
    throw invalidArgumentError(`createBullmqBackend: queue must be a non-empty string without ':', got ${String(options.queue)}`);
  }
  if (options.connection === undefined || options.connection === null) {
    throw invalidArgumentError('createBullmqBackend: connection is required (a redis:// URL, ioredis options or an ioredis instance)');
  }
  for (const [taskName, retry] of Object.entries(options.retry ?? {})) {
    if (!(Number.isInteger(retry?.attempts) && retry.attempts >= 1)) {
      throw invalidArgumentError(`createBullmqBackend: retry['${taskName}'].attempts must be an integer of at least 1`);
    }
  }
  if (options.idempotencyKey !== undefined && typeof options.idempotencyKey !== 'function') {
    throw invalidArgumentError('createBullmqBackend: idempotencyKey must be a function (taskName, input) => string | undefined');
  }
  return {
    name: options.name ?? 'bullmq',
    queueName: options.queue,
    connection: options.connection,
    prefix: options.prefix ?? 'bull',
    taskNames: options.tasks === undefined ? undefined : taskNamesOf(options.tasks),
    timeout: milliseconds('timeout', options.timeout, 30_000),
    connectTimeout: milliseconds('connectTimeout', options.connectTimeout, 5_000),
    recheckInterval: milliseconds('recheckInterval', options.recheckInterval, 5_000),
    retry: options.retry,
    jobOptions: { ...defaultJobOptions, ...options.jobOptions },
    idempotencyKey: options.idempotencyKey,
  };
}

/**
 * The idempotency key of a call: the one given, or the one the backend's
 * `idempotencyKey` option derives; `undefined` for a call without one.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a key that is not a non-empty string.
 */
export function idempotencyKeyOf(
  taskName: string,
  input: unknown,
  options: BullmqRunTaskOptions | undefined,
  derive: BullmqBackendOptions['idempotencyKey'],
): string | undefined {
  const key: unknown = options?.idempotencyKey ?? derive?.(taskName, input);
  if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
    throw invalidArgumentError(`runTask('${taskName}'): idempotencyKey must be a non-empty string`);
  }
  return key;
}

function milliseconds(what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (isTimerDelay(value)) return value;
  throw invalidArgumentError(`createBullmqBackend: ${what} must be a number of milliseconds from 1 to ${maxTimerDelay}, got ${String(value)}`);
}

function taskNamesOf(tasks: readonly string[] | TaskCollection): Set<string> {
  if (Array.isArray(tasks) && tasks.every((task) => typeof task === 'string')) return new Set(tasks as readonly string[]);
  return new Set(collectTasks(tasks as TaskCollection).keys());
}
