import {
  ComputeError,
  invalidArgumentError,
  maxTimerDelay,
  messageOf,
  settleOnAbort,
  type ComputeBackendLike,
} from '@hybridcompute/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { connectionOptionsOf, type BullmqConnection } from './bullmq-connection.js';
import { cancelChannelOf, parseCancelMessage, type CancelCode } from './cancel-channel.js';
import { encodeJobFailure, isBullmqJobData, type BullmqJobResult } from './job-envelope.js';

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

/** The part of ioredis the cancel subscription uses; BullMQ's client types leave it out. */
interface SubscriberLike {
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  disconnect(): void;
}

// A cancel request can arrive just before the job it names starts here; it is kept this long.
const pendingCancelMs = 60_000;
// How long close() waits for Redis to answer before it treats it as down and leaves the jobs in progress.
const closeProbeMs = 1_000;

/**
 * The worker side: consumes a queue and runs each job's task on the backend
 * it was given, in any number of processes and machines. Results and errors
 * go back in an envelope that keeps `ComputeError` codes and causes.
 *
 * @example
 * ```ts
 * const worker = new BullmqWorker({ connection: 'redis://127.0.0.1:6379', queue: 'compute', backend: createLocalBackend({ tasks }) });
 * await worker.waitUntilReady();
 * process.on('SIGTERM', () => void worker.close());
 * ```
 */
export class BullmqWorker {
  /** The BullMQ worker, for its events (`completed`, `failed`, `stalled`) and controls (`pause`, `resume`). */
  readonly worker: Worker<unknown, BullmqJobResult>;
  readonly #backend: ComputeBackendLike;
  readonly #cancelChannel: string;
  // Cancels that named a job not running here (yet), by job id, with when they were sent and arrived.
  readonly #pendingCancels = new Map<string, { code: CancelCode; sentAt: number; at: number }>();
  // The jobs running here, by job id: how to stop each, and when it was created (a cancel sent before is not for it).
  readonly #running = new Map<string, RunningJob>();
  readonly #subscribing: Promise<SubscriberLike | undefined>;
  #client: RedisClientLike | undefined;
  #subscriber: SubscriberLike | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: BullmqWorkerOptions) {
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
    this.#backend = backend;
    this.#cancelChannel = cancelChannelOf(prefix, options.queue);
    // A processor of one parameter: BullMQ then makes no AbortController of its own per job.
    // Cancels reach the jobs through #running instead, so BullMQ's `worker.cancelJob` does not stop them.
    this.worker = new Worker<unknown, BullmqJobResult>(options.queue, (job) => this.#process(job), {
      connection: connectionOptionsOf(options.connection),
      prefix,
      concurrency,
      autorun: options.autorun ?? true,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined ? {} : { stalledInterval: options.stalledInterval }),
      ...(options.maxStalledCount === undefined ? {} : { maxStalledCount: options.maxStalledCount }),
    });
    // Without a listener an 'error' event would crash the process; BullMQ reconnects by itself.
    this.worker.on('error', ignore);
    this.#subscribing = this.#subscribe();
    this.#subscribing.catch(ignore);
  }

  /**
   * Resolves when the worker's connections to Redis are up and it listens for cancel requests.
   *
   * @example
   * ```ts
   * await worker.waitUntilReady();
   * console.log('consuming queue compute');
   * ```
   */
  async waitUntilReady(): Promise<void> {
    await this.worker.waitUntilReady();
    await this.#subscribing;
  }

  /**
   * Stops taking jobs and closes the connections. By default the jobs in
   * progress finish first; with `force`, or when Redis is unreachable, they
   * are left to the stalled-job check and run again elsewhere.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void worker.close()); // let the jobs in progress finish
   * process.once('SIGINT', () => void worker.close(true)); // leave them to another worker
   * ```
   */
  close(force = false): Promise<void> {
    this.#closing ??= this.#close(force);
    return this.#closing;
  }

  async #process(job: Job<unknown, BullmqJobResult>): Promise<BullmqJobResult> {
    const taskName = job.name;
    const data = job.data;
    if (!isBullmqJobData(data)) {
      throw failure(new ComputeError({ code: 'PROTOCOL_ERROR', message: `Job ${String(job.id)} is not a hybrid-compute job (its data has no input and deadline)`, taskName }), false);
    }
    const cancelled = job.id === undefined ? undefined : this.#pendingCancels.get(job.id);
    if (cancelled !== undefined) {
      this.#pendingCancels.delete(job.id as string);
      // A cancel older than the job was meant for an earlier job under the same id (an idempotency key used again).
      if (job.timestamp < cancelled.sentAt) throw failure(stopError(cancelled.code, taskName, 'before it started'), false);
    }
    const remaining = Number.isFinite(data.deadline) ? data.deadline - Date.now() : 0;
    if (remaining <= 0) throw failure(stopError('TASK_TIMEOUT', taskName, 'before it started (its deadline had passed)'), false);

    const controller = new AbortController();
    const timer = setTimeout(stopJob, Math.min(remaining, maxTimerDelay), controller, 'TASK_TIMEOUT', taskName);
    if (job.id !== undefined) this.#running.set(job.id, { controller, taskName, created: job.timestamp });
    try {
      // Settles at the deadline or on cancel even when the backend ignores its signal, so the job frees its slot.
      const result = await settleOnAbort(Promise.resolve(this.#backend.runTask(taskName, data.input, { signal: controller.signal })), controller.signal, taskName);
      return { result };
    } catch (error) {
      const computeError = ComputeError.isInstance(error)
        ? error
        : new ComputeError({ code: 'TASK_FAILED', message: `Task '${taskName}' failed: ${messageOf(error)}`, taskName, cause: error });
      // Only a task's own failure may be retried (and only when the task opted in with attempts).
      throw failure(computeError, computeError.code === 'TASK_FAILED' && !controller.signal.aborted);
    } finally {
      clearTimeout(timer);
      if (job.id !== undefined) this.#running.delete(job.id);
    }
  }

  async #subscribe(): Promise<SubscriberLike | undefined> {
    const client = (await this.worker.client) as unknown as RedisClientLike;
    this.#client = client;
    if (this.#closing !== undefined) return undefined;
    const subscriber = client.duplicate() as unknown as SubscriberLike;
    this.#subscriber = subscriber;
    subscriber.on('error', ignore);
    subscriber.on('message', (channel, message) => {
      if (channel !== this.#cancelChannel) return;
      const request = parseCancelMessage(message);
      if (request === undefined) return;
      const sentAt = request.sentAt ?? Date.now();
      const running = this.#running.get(request.jobId);
      if (running !== undefined) {
        if (running.created < sentAt) stopJob(running.controller, request.code, running.taskName);
        return;
      }
      // Not running here: it may be about to start here, or run elsewhere.
      this.#rememberCancel(request.jobId, request.code, sentAt);
    });
    await subscriber.subscribe(this.#cancelChannel);
    return subscriber;
  }

  #rememberCancel(jobId: string, code: CancelCode, sentAt: number): void {
    const now = Date.now();
    // Oldest first, as a Map keeps insertion order: drop what has expired.
    for (const [id, entry] of this.#pendingCancels) {
      if (now - entry.at < pendingCancelMs) break;
      this.#pendingCancels.delete(id);
    }
    // Re-inserted, so the map stays in arrival order.
    this.#pendingCancels.delete(jobId);
    this.#pendingCancels.set(jobId, { code, sentAt, at: now });
  }

  async #close(force: boolean): Promise<void> {
    // With Redis down, jobs in progress cannot report back, and a graceful close would wait for Redis
    // forever (ioredis holds QUIT until it reconnects): their locks expire and they run again elsewhere.
    const client = this.#client;
    // A subscribe still on its way sees #closing and creates no subscriber.
    this.#subscriber?.disconnect();
    // The status alone is not enough: a connection Redis dropped a moment ago still reads 'ready' until
    // ioredis has seen the socket close, so ask Redis, briefly.
    if (force || client === undefined || !(await answersWithin(client, closeProbeMs))) {
      await this.worker.close(true);
      return;
    }
    // The connection can also drop while the jobs in progress finish: then drop the connections, so
    // that the commands ioredis holds for Redis' return fail instead. (Best effort: once ioredis has
    // started to reconnect, it keeps them; the close then waits for Redis to come back.)
    const onClose = (): void => {
      client.disconnect();
      void blockingClientOf(this.worker)?.then((blocking) => blocking.disconnect(), ignore);
    };
    client.once('close', onClose);
    try {
      await this.worker.close(false);
    } finally {
      client.off('close', onClose);
    }
  }
}

function ignore(): void {}

/** The part of BullMQ's ioredis client that closing uses. */
interface RedisClientLike {
  readonly status: string;
  disconnect(): void;
  ping(): Promise<unknown>;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
  duplicate(): unknown;
}

/** Whether Redis answers a PING on `client` within `ms`. */
async function answersWithin(client: RedisClientLike, ms: number): Promise<boolean> {
  if (client.status !== 'ready') return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([client.ping().then(() => true, () => false), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The client of the worker's blocking connection: BullMQ keeps it protected, and only closing needs it. */
function blockingClientOf(worker: Worker): Promise<{ disconnect(): void }> | undefined {
  return (worker as unknown as { blockingConnection?: { client?: Promise<{ disconnect(): void }> } }).blockingConnection?.client;
}

/** A job this worker is running. */
interface RunningJob {
  readonly controller: AbortController;
  readonly taskName: string;
  /** The job's `timestamp`: when the caller created it. */
  readonly created: number;
}

function stopJob(controller: AbortController, code: CancelCode, taskName: string): void {
  controller.abort(stopError(code, taskName, 'on the worker'));
}

function stopError(code: CancelCode, taskName: string, where: string): ComputeError {
  const what = code === 'TASK_TIMEOUT' ? 'timed out' : 'was aborted';
  return new ComputeError({ code, message: `Task '${taskName}' ${what} ${where}`, taskName });
}

/** The error the processor throws: its message is the envelope; only a retryable one lets BullMQ try again. */
function failure(error: ComputeError, retryable: boolean): Error {
  const reason = encodeJobFailure(error);
  return retryable ? new Error(reason) : new UnrecoverableError(reason);
}

/**
 * Starts a worker that consumes `queue` and runs each job's task on
 * `backend`. Run it in as many processes and machines as you like; each job
 * runs on one of them, and again on another if its worker dies (at-least-once).
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection or backend, a bad queue name or concurrency.
 *
 * @example
 * ```ts
 * import { createBullmqWorker } from '@hybridcompute/backend-bullmq';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const worker = createBullmqWorker({
 *   connection: process.env.REDIS_URL!,
 *   queue: 'compute',
 *   backend: createLocalBackend({ tasks }),
 *   concurrency: 4,
 * });
 * process.once('SIGTERM', () => void worker.close());
 * ```
 */
export function createBullmqWorker(options: BullmqWorkerOptions): BullmqWorker {
  return new BullmqWorker(options);
}
