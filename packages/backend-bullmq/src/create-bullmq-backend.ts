import { randomUUID } from 'node:crypto';
import {
  abortErrorFrom,
  collectTasks,
  ComputeError,
  invalidArgumentError,
  isTimerDelay,
  maxTimerDelay,
  messageOf,
  type ComputeBackendInterface,
  type RunTaskOptions,
  type TaskCollection,
} from '@hybridcompute/core';
import { Queue, QueueEvents, type BackoffOptions, type JobsOptions } from 'bullmq';
import { connectionOptionsOf, type BullmqConnection } from './bullmq-connection.js';
import { cancelChannelOf, type CancelCode, type CancelMessage } from './cancel-channel.js';
import { decodeJobFailure, type BullmqJobData, type BullmqJobResult } from './job-envelope.js';

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
 */
export interface BullmqBackendOptions {
  /** Where Redis is: a URL, ioredis options or an ioredis instance. */
  connection: BullmqConnection;
  /** The BullMQ queue the jobs go to; the workers of {@link createBullmqWorker} consume the same name. */
  queue: string;
  /**
   * The tasks the workers serve: names, or the task definitions themselves
   * (array, record or module namespace). `canRun` answers from these, and an
   * unknown task rejects with `TASK_NOT_FOUND` without a trip to Redis.
   * Without them, `canRun` says yes to every name and the worker decides.
   */
  tasks?: readonly string[] | TaskCollection | undefined;
  /** Milliseconds a call may take from `runTask` until its result, queueing included. Default 30000. */
  timeout?: number | undefined;
  /**
   * Milliseconds to wait for Redis to accept a job before the call rejects
   * with `BACKEND_UNAVAILABLE`. Default 5000. When the connection is known to
   * be down, calls reject at once.
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
 * The third argument of {@link BullmqBackend.runTask}: a router's `{ signal }`, plus options for direct callers.
 *
 * @example
 * ```ts
 * const options: BullmqRunTaskOptions = { idempotencyKey: 'order-17', timeout: 120_000, signal: AbortSignal.timeout(120_000) };
 * await queued.runTask('charge', { orderId: 17, cents: 500 }, options);
 * ```
 */
export interface BullmqRunTaskOptions extends RunTaskOptions {
  /** Milliseconds for this call instead of the backend's `timeout`. */
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

/**
 * What {@link BullmqBackend.stats} reports.
 *
 * @example
 * ```ts
 * const stats: BullmqBackendStats = queued.stats();
 * console.log(`${stats.waiting} calls waiting for their jobs`);
 * ```
 */
export interface BullmqBackendStats {
  /** Calls waiting for their job's result. */
  waiting: number;
}

const defaultTimeout = 30_000;
const defaultConnectTimeout = 5_000;
const defaultRecheckInterval = 5_000;
const reopenBackoff = 1_000;
const defaultJobOptions: BullmqJobOptions = {
  removeOnComplete: { age: 3_600, count: 10_000 },
  removeOnFail: { age: 86_400, count: 10_000 },
};

/** The part of BullMQ's Redis client this backend uses beyond what BullMQ types. */
interface RedisClientLike {
  readonly status: string;
  disconnect(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  publish(channel: string, message: string): Promise<unknown>;
  xrevrange(key: string, end: string, start: string, count: 'COUNT', n: number): Promise<[string, string[]][]>;
}

/**
 * A call waiting for its job. Calls that share a job (same idempotency key)
 * form a list through `next`.
 */
class PendingCall {
  next: PendingCall | undefined = undefined;
  /**
   * The call's one timer: first at `connectTimeout` when that comes before the
   * deadline (`connecting` is then true), to bound how long Redis may take to
   * accept the job, and then at the deadline.
   */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  connecting = false;
  onAbort: (() => void) | undefined = undefined;
  settled = false;
  /** Whether Redis has taken the job. */
  accepted = false;
  /** Whether a recheck already found the job gone from Redis (a second time settles the call). */
  missing = false;
  readonly since = Date.now();

  constructor(
    readonly jobId: string,
    readonly taskName: string,
    /** When the call's deadline passes (`Date.now()` time). */
    readonly deadline: number,
    /** The call's timeout in milliseconds, for messages. */
    readonly timeout: number,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

/**
 * Runs tasks as BullMQ jobs on Redis: durable, queued execution across
 * machines. Each call adds a job and waits for its result through one
 * `QueueEvents` shared by all calls; workers started with
 * {@link createBullmqWorker} run the jobs on the backend they are given.
 *
 * Delivery is at-least-once: a job whose worker dies is run again by another.
 *
 * @example
 * ```ts
 * const queued = new BullmqBackend({ connection: 'redis://127.0.0.1:6379', queue: 'compute', tasks });
 * await queued.runTask('double', 21); // 42, computed by a worker
 * await queued.close();
 * ```
 */
export class BullmqBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name: string;
  /** The BullMQ queue jobs are added to: for counts, cleaning and dashboards. */
  readonly queue: Queue;
  readonly #queueName: string;
  readonly #connection: BullmqConnection;
  readonly #prefix: string;
  readonly #taskNames: ReadonlySet<string> | undefined;
  readonly #timeout: number;
  readonly #connectTimeout: number;
  readonly #recheckInterval: number;
  #recheckTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #retry: BullmqBackendOptions['retry'];
  readonly #jobOptions: BullmqJobOptions;
  readonly #idempotencyKey: BullmqBackendOptions['idempotencyKey'];
  readonly #cancelChannel: string;
  readonly #calls = new Map<string, PendingCall>();
  #events: QueueEvents | undefined;
  #eventsOpenedAt = 0;
  #client: RedisClientLike | undefined;
  #eventsClient: RedisClientLike | undefined;
  #starting: Promise<void> | undefined;
  // The last connection error since the connection was last ready; calls fail fast while it is set.
  #connectionError: unknown;
  #closing: Promise<void> | undefined;

  constructor(options: BullmqBackendOptions) {
    if (typeof options !== 'object' || options === null) throw invalidArgumentError('createBullmqBackend: options are required');
    if (typeof options.queue !== 'string' || options.queue.length === 0 || options.queue.includes(':')) {
      throw invalidArgumentError(`createBullmqBackend: queue must be a non-empty string without ':', got ${String(options.queue)}`);
    }
    if (options.connection === undefined || options.connection === null) {
      throw invalidArgumentError('createBullmqBackend: connection is required (a redis:// URL, ioredis options or an ioredis instance)');
    }
    this.name = options.name ?? 'bullmq';
    this.#queueName = options.queue;
    this.#connection = options.connection;
    this.#prefix = options.prefix ?? 'bull';
    this.#timeout = checkMilliseconds('timeout', options.timeout, defaultTimeout);
    this.#connectTimeout = checkMilliseconds('connectTimeout', options.connectTimeout, defaultConnectTimeout);
    this.#recheckInterval = checkMilliseconds('recheckInterval', options.recheckInterval, defaultRecheckInterval);
    this.#taskNames = options.tasks === undefined ? undefined : taskNamesOf(options.tasks);
    this.#retry = options.retry;
    for (const [taskName, retry] of Object.entries(options.retry ?? {})) {
      if (!(Number.isInteger(retry.attempts) && retry.attempts >= 1)) {
        throw invalidArgumentError(`createBullmqBackend: retry['${taskName}'].attempts must be an integer of at least 1`);
      }
    }
    this.#jobOptions = { ...defaultJobOptions, ...options.jobOptions };
    this.#idempotencyKey = options.idempotencyKey;
    this.#cancelChannel = cancelChannelOf(this.#prefix, this.#queueName);
    this.queue = new Queue(this.#queueName, { connection: connectionOptionsOf(options.connection), prefix: this.#prefix });
    // Without a listener an 'error' event would crash the process; errors surface through calls instead.
    this.queue.on('error', (error) => {
      this.#connectionError = error;
    });
    this.queue.on('ioredis:close', () => {
      this.#connectionError ??= new Error('the connection to Redis closed');
    });
  }

  /** The task names given as `tasks`, or `undefined` when the workers decide. */
  get taskNames(): string[] | undefined {
    return this.#taskNames === undefined ? undefined : [...this.#taskNames];
  }

  /**
   * What this backend is doing now: `waiting` counts the calls that wait for
   * a job (queued, running, or not yet accepted by Redis).
   *
   * @example
   * ```ts
   * const { waiting } = queued.stats();
   * if (waiting > 1_000) console.warn('the queue is falling behind');
   * ```
   */
  stats(): BullmqBackendStats {
    let waiting = 0;
    for (const head of this.#calls.values()) for (let call: PendingCall | undefined = head; call !== undefined; call = call.next) waiting++;
    return { waiting };
  }

  /**
   * Whether the workers serve the task (by `tasks`); without `tasks`, any non-empty name. False once closed.
   *
   * @example
   * ```ts
   * if (!queued.canRun('resize')) throw new Error('the queue does not serve resize');
   * ```
   */
  canRun(taskName: string): boolean {
    if (this.#closing !== undefined || typeof taskName !== 'string' || taskName.length === 0) return false;
    return this.#taskNames === undefined || this.#taskNames.has(taskName);
  }

  /**
   * Adds a job for the task and settles with its result.
   *
   * Rejects (never throws) with `TASK_NOT_FOUND` for a task outside `tasks`;
   * `TASK_FAILED` when the task failed on the worker (its error as `cause`,
   * `code` kept); `TASK_TIMEOUT` when the deadline passes (the worker is told
   * to stop); `TASK_ABORTED` when `signal` aborts (a job not yet started is
   * removed, a running one is told to stop); `BACKEND_UNAVAILABLE` when Redis
   * cannot be reached or does not accept the job within `connectTimeout`; a
   * `TypeError` (code `INVALID_REQUEST`) for bad arguments or an input that
   * cannot be sent as JSON.
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * const doubled = await queued.runTask<number, number>('double', 21, { signal: controller.signal, timeout: 5_000 }); // 42
   * ```
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: BullmqRunTaskOptions): Promise<Output> {
    return this.#run(taskName, input, options) as Promise<Output>;
  }

  /**
   * Stops waiting: calls in flight reject with `BACKEND_UNAVAILABLE` (their
   * jobs stay in the queue and still run), then the connections close.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void queued.close());
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  #run(taskName: string, input: unknown, options: BullmqRunTaskOptions | undefined): Promise<unknown> {
    if (typeof taskName !== 'string' || taskName.length === 0) {
      return Promise.reject(invalidArgumentError(`runTask: the task name must be a non-empty string, got ${typeof taskName}`));
    }
    if (this.#closing !== undefined) return Promise.reject(this.#unavailable(taskName, `The ${this.name} backend is closed`));
    if (this.#taskNames !== undefined && !this.#taskNames.has(taskName)) {
      return Promise.reject(
        new ComputeError({
          code: 'TASK_NOT_FOUND',
          message: `Task '${taskName}' is not served by the ${this.name} backend (tasks: ${[...this.#taskNames].join(', ') || 'none'})`,
          taskName,
          backend: this.name,
        }),
      );
    }
    const signal = options?.signal ?? undefined;
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.name));
    let timeout = this.#timeout;
    let key: string | undefined;
    try {
      if (options?.timeout !== undefined) timeout = checkMilliseconds(`runTask('${taskName}'): timeout`, options.timeout, defaultTimeout);
      key = options?.idempotencyKey ?? this.#idempotencyKey?.(taskName, input);
      if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
        throw invalidArgumentError(`runTask('${taskName}'): idempotencyKey must be a non-empty string`);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const jobId = key === undefined ? randomUUID() : jobIdFor(taskName, key);
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + timeout;
      const call = new PendingCall(jobId, taskName, deadline, timeout, signal, resolve, reject);
      // Waiting starts before the job exists, so no event can slip past.
      const existing = this.#calls.get(jobId);
      if (existing === undefined) this.#calls.set(jobId, call);
      else {
        call.next = existing.next;
        existing.next = call;
      }
      // Bounded even when the connection looks ready: it may have dropped a moment ago, and ioredis
      // keeps a command for a connection that comes back, however long that takes.
      call.connecting = this.#connectTimeout < timeout;
      call.timer = setTimeout(this.#onTimer, call.connecting ? this.#connectTimeout : timeout, call);
      if (signal !== undefined) {
        call.onAbort = () => this.#giveUp(call, abortErrorFrom(signal.reason, taskName, this.name), 'TASK_ABORTED');
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      this.#recheckTimer ??= this.#scheduleRecheck();
      this.#enqueue(call, input, key !== undefined);
    });
  }

  /** A call's timer fired: `connectTimeout` passed before Redis took the job, or the deadline passed. */
  readonly #onTimer = (call: PendingCall): void => {
    if (call.settled) return;
    const { taskName } = call;
    if (call.connecting) {
      call.connecting = false;
      if (call.accepted) {
        call.timer = setTimeout(this.#onTimer, Math.max(1, call.deadline - Date.now()), call);
        return;
      }
      const cause = this.#connectionError;
      // Only this call: others that share the job may still wait for it; the job is taken back once added, if nobody does.
      this.#settle(call, this.#unavailable(taskName, `Redis did not accept the job within ${this.#connectTimeout} ms${cause === undefined ? '' : `: ${messageOf(cause)}`}`, cause));
      return;
    }
    // A deadline that passes before Redis took the job is Redis' fault when the connection is down.
    if (!call.accepted && this.#client?.status !== 'ready') {
      const cause = this.#connectionError;
      this.#giveUp(call, this.#unavailable(taskName, `Redis did not accept the job before the call's deadline (${call.timeout} ms)${cause === undefined ? '' : `: ${messageOf(cause)}`}`, cause), 'TASK_TIMEOUT');
      return;
    }
    this.#giveUp(call, new ComputeError({ code: 'TASK_TIMEOUT', message: `Task '${taskName}' timed out after ${call.timeout} ms`, taskName, backend: this.name }), 'TASK_TIMEOUT');
  };

  #scheduleRecheck(): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#recheck(), this.#recheckInterval);
    // The calls' own deadlines keep the process alive; this timer must not.
    timer.unref?.();
    return timer;
  }

  /** Asks Redis about the jobs of calls that have waited a while: their events may have been lost. */
  #recheck(): void {
    this.#recheckTimer = undefined;
    if (this.#closing !== undefined || this.#calls.size === 0) return;
    const cutoff = Date.now() - this.#recheckInterval;
    for (const [jobId, call] of this.#calls) {
      if (call.accepted && call.since <= cutoff) this.#settleIfFinished(jobId);
    }
    this.#recheckTimer = this.#scheduleRecheck();
  }

  #enqueue(call: PendingCall, input: unknown, idempotent: boolean): void {
    const { taskName, jobId } = call;
    const ready = this.#events !== undefined && this.#client?.status === 'ready';
    if (!ready && this.#connectionError !== undefined && this.#starting !== undefined) {
      this.#settle(call, this.#unavailable(taskName, `Redis is unreachable: ${messageOf(this.#connectionError)}`, this.#connectionError));
      return;
    }
    const retry = this.#retry?.[taskName];
    const jobOptions: JobsOptions = { ...this.#jobOptions, jobId };
    if (retry !== undefined) {
      jobOptions.attempts = retry.attempts;
      if (retry.backoff !== undefined) jobOptions.backoff = retry.backoff;
    }
    const data: BullmqJobData = { input, deadline: call.deadline };
    const add = (): Promise<unknown> => this.queue.add(taskName, data, jobOptions);
    const added = ready ? add() : (this.#starting ??= this.#start()).then(add);
    added.then(
      () => {
        call.accepted = true;
        if (call.settled) {
          // Given up on while Redis was still taking the job: take it back.
          if (!this.#calls.has(jobId)) this.#cancelJob(jobId, 'TASK_ABORTED');
          return;
        }
        // A job under this key may have finished before this call: no event will come for it.
        if (idempotent) this.#settleIfFinished(jobId);
      },
      (error: unknown) => {
        if (error instanceof TypeError) {
          this.#settle(call, Object.assign(invalidArgumentError(`runTask('${taskName}'): the job could not be added: ${error.message}`), { cause: error }));
        } else {
          this.#settle(call, this.#unavailable(taskName, `Redis did not accept the job: ${messageOf(error)}`, error));
        }
      },
    );
  }

  async #start(): Promise<void> {
    try {
      const client = (await this.queue.client) as unknown as RedisClientLike;
      if (this.#client !== client) {
        this.#client = client;
        client.on('ready', () => {
          this.#connectionError = undefined;
        });
      }
      // Start reading events from the newest one now, so none between now and the events connection being up is missed.
      const newest = await client.xrevrange(this.queue.keys['events'] as string, '+', '-', 'COUNT', 1);
      if (this.#closing !== undefined) return;
      this.#openEvents(newest[0]?.[0] ?? '0-0');
      this.#connectionError = undefined;
    } catch (error) {
      // The next call tries again.
      this.#starting = undefined;
      throw error;
    }
  }

  #openEvents(lastEventId: string): void {
    const events = new QueueEvents(this.#queueName, {
      connection: connectionOptionsOf(this.#connection),
      prefix: this.#prefix,
      lastEventId,
      autorun: false,
    });
    events.on('error', ignore);
    // A listener that threw would end BullMQ's event loop for good: a junk event settles its calls instead.
    events.on('completed', ({ jobId, returnvalue }) => this.#guarded(jobId, () => this.#onCompleted(jobId, returnvalue)));
    events.on('failed', ({ jobId, failedReason }) => this.#guarded(jobId, () => this.#onFailed(jobId, failedReason)));
    events.on('removed', ({ jobId }) => this.#guarded(jobId, () => this.#confirmRemoved(jobId)));
    this.#events = events;
    this.#eventsOpenedAt = Date.now();
    events.waitUntilReady().then((eventsClient) => {
      this.#eventsClient = eventsClient as unknown as RedisClientLike;
    }, ignore);
    // run() only ends on close or on an error that is not the connection's (BullMQ retries those itself),
    // such as an event it cannot parse: read on from the newest event, and ask Redis about every waiting call.
    events.run().then(ignore, () => {
      if (this.#closing !== undefined || this.#events !== events) return;
      this.#events = undefined;
      this.#eventsClient = undefined;
      events.close().then(ignore, ignore);
      // An error that comes back at once (say, an ACL that refuses a command BullMQ sends) must not make a loop of connections.
      if (Date.now() - this.#eventsOpenedAt >= reopenBackoff) this.#reopenEvents();
      else setTimeout(() => this.#reopenEvents(), reopenBackoff).unref?.();
    });
  }

  #reopenEvents(): void {
    const client = this.#client;
    if (client === undefined || this.#closing !== undefined) return;
    client.xrevrange(this.queue.keys['events'] as string, '+', '-', 'COUNT', 1).then(
      (newest) => {
        if (this.#closing !== undefined) return;
        this.#openEvents(newest[0]?.[0] ?? '0-0');
        for (const [jobId, call] of this.#calls) if (call.accepted) this.#settleIfFinished(jobId);
      },
      () => {
        // Redis is away: the next call starts everything again.
        this.#starting = undefined;
      },
    );
  }

  /** Runs an event handler; if a job's event cannot be read, its calls reject instead of the event loop dying. */
  #guarded(jobId: unknown, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      const call = typeof jobId === 'string' ? this.#take(jobId) : undefined;
      if (call === undefined) return;
      this.#settleAll(
        call,
        new ComputeError({ code: 'PROTOCOL_ERROR', message: `The event for job ${String(jobId)} could not be read: ${messageOf(error)}`, taskName: call.taskName, backend: this.name, cause: error }),
      );
    }
  }

  #onCompleted(jobId: string, returnvalue: unknown): void {
    const call = this.#take(jobId);
    if (call === undefined) return;
    if (!isJobResult(returnvalue)) {
      this.#settleAll(
        call,
        new ComputeError({
          code: 'PROTOCOL_ERROR',
          message: `Job ${jobId} for task '${call.taskName}' returned something other than a hybrid-compute result: is a worker outside @hybridcompute/backend-bullmq consuming queue '${this.#queueName}'?`,
          taskName: call.taskName,
          backend: this.name,
        }),
      );
      return;
    }
    const result = (returnvalue as BullmqJobResult).result;
    for (let next: PendingCall | undefined = call; next !== undefined; next = next.next) this.#settle(next, undefined, result);
  }

  #onFailed(jobId: string, failedReason: unknown): void {
    const call = this.#take(jobId);
    if (call === undefined) return;
    this.#settleAll(call, decodeJobFailure(failedReason, call.taskName, this.name));
  }

  #onRemoved(jobId: string): void {
    const call = this.#take(jobId);
    if (call === undefined) return;
    this.#settleAll(
      call,
      new ComputeError({ code: 'TASK_ABORTED', message: `Task '${call.taskName}' was aborted: its job ${jobId} was removed from the queue`, taskName: call.taskName, backend: this.name }),
    );
  }

  /**
   * A 'removed' event may be about an earlier job under the same id (an
   * idempotency key used again right after its job was cancelled): settle
   * only if the job is still gone. The recheck covers a failed look-up.
   */
  #confirmRemoved(jobId: string): void {
    if (!this.#calls.has(jobId)) return;
    this.queue.client
      .then((client) => client.hexists(this.queue.toKey(jobId), 'timestamp'))
      .then((exists) => {
        if (exists === 0) this.#onRemoved(jobId);
      })
      .then(ignore, ignore);
  }

  /**
   * Settles the calls of a job that finished, from what Redis holds about it.
   * Reads four fields, not the whole job: a backlog of jobs with big inputs is
   * rechecked every `recheckInterval`.
   */
  #settleIfFinished(jobId: string): void {
    this.queue.client
      .then((client) => client.hmget(this.queue.toKey(jobId), 'timestamp', 'finishedOn', 'returnvalue', 'failedReason'))
      .then(([timestamp, finishedOn, returnvalue, failedReason]) => {
        const call = this.#calls.get(jobId);
        if (call === undefined) return;
        // Every job has a timestamp from the moment it is added: without one, the job is gone.
        if (timestamp === null || timestamp === undefined) {
          // Gone without a 'removed' event (a drain, an obliterate, keys deleted by hand): no result will come.
          // Once is not enough: with removeOnComplete, a finished job's event may still be on its way.
          if (!call.accepted) return;
          if (call.missing) this.#onRemoved(jobId);
          else for (let next: PendingCall | undefined = call; next !== undefined; next = next.next) next.missing = true;
          return;
        }
        call.missing = false;
        if (!finishedOn) return;
        // A job retried after a failure keeps its last failedReason when it then completes: the return value decides.
        if (typeof returnvalue !== 'string' && failedReason) this.#onFailed(jobId, failedReason);
        else this.#onCompleted(jobId, typeof returnvalue === 'string' ? parseOrUndefined(returnvalue) : undefined);
      })
      .then(ignore, ignore);
  }

  #take(jobId: string): PendingCall | undefined {
    const call = this.#calls.get(jobId);
    if (call !== undefined) this.#calls.delete(jobId);
    return call;
  }

  #settleAll(first: PendingCall, error: unknown): void {
    for (let call: PendingCall | undefined = first; call !== undefined; call = call.next) this.#settle(call, error);
  }

  /** Settles one call: rejects with `error` when given, resolves with `value` otherwise. */
  #settle(call: PendingCall, error: unknown, value?: unknown): void {
    if (call.settled) return;
    call.settled = true;
    clearTimeout(call.timer);
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
    this.#forget(call);
    if (error === undefined) call.resolve(value);
    else call.reject(error);
  }

  /** Drops a call from the waiting list of its job (it may share the job with others). */
  #forget(call: PendingCall): void {
    const head = this.#calls.get(call.jobId);
    if (head === undefined) return;
    if (head === call) {
      if (call.next === undefined) this.#calls.delete(call.jobId);
      else this.#calls.set(call.jobId, call.next);
      return;
    }
    for (let previous = head; previous.next !== undefined; previous = previous.next) {
      if (previous.next === call) {
        previous.next = call.next;
        return;
      }
    }
  }

  /** The call's deadline passed or its signal aborted: settle it now and stop its job if nobody else waits for it. */
  #giveUp(call: PendingCall, error: ComputeError, code: CancelCode): void {
    if (call.settled) return;
    this.#settle(call, error);
    if (!this.#calls.has(call.jobId)) this.#cancelJob(call.jobId, code);
  }

  /** Removes a job that has not started, and asks the workers to stop it if it has. Best effort: never rejects. */
  #cancelJob(jobId: string, code: CancelCode): void {
    if (this.#closing !== undefined) return;
    // A job that is running is locked, and remove() leaves it alone; the workers hear about it on the channel.
    this.queue.remove(jobId).then(ignore, ignore);
    const message: CancelMessage = { jobId, code, sentAt: Date.now() };
    this.#client?.publish(this.#cancelChannel, JSON.stringify(message)).then(ignore, ignore);
  }

  async #close(): Promise<void> {
    clearTimeout(this.#recheckTimer);
    for (const call of [...this.#calls.values()]) {
      this.#settleAll(call, this.#unavailable(call.taskName, `The ${this.name} backend was closed while the call was waiting for its job`));
    }
    // A start still waiting for Redis sees #closing and creates no QueueEvents.
    // A graceful close sends QUIT, which ioredis would hold until Redis is back: drop broken connections first.
    // (A connection that never came up is dropped by close() itself.)
    for (const client of [this.#client, this.#eventsClient]) {
      if (client !== undefined && client.status !== 'ready') client.disconnect();
    }
    await Promise.allSettled([this.queue.close(), this.#events?.close()]);
  }

  #unavailable(taskName: string, message: string, cause?: unknown): ComputeError {
    return new ComputeError({ code: 'BACKEND_UNAVAILABLE', message, taskName, backend: this.name, ...(cause === undefined ? {} : { cause }) });
  }
}

function ignore(): void {}

/** A job's stored return value; `undefined` (a `PROTOCOL_ERROR` for its calls) when it is not JSON. */
function parseOrUndefined(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Whether a completed job's return value is a result envelope: an object
 * with no key but `result` (`{}` when the task returned `undefined`).
 */
function isJobResult(value: unknown): value is BullmqJobResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  for (const key in value) if (key !== 'result') return false;
  return true;
}

function checkMilliseconds(what: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (isTimerDelay(value)) return value;
  throw invalidArgumentError(`${what} must be a number of milliseconds from 1 to ${maxTimerDelay}, got ${String(value)}`);
}

function taskNamesOf(tasks: readonly string[] | TaskCollection): Set<string> {
  if (Array.isArray(tasks) && tasks.every((task) => typeof task === 'string')) return new Set(tasks as readonly string[]);
  return new Set(collectTasks(tasks as TaskCollection).keys());
}

/**
 * The job id for an idempotency key. BullMQ refuses ids that contain ':' or
 * look like integers; the task's name keeps two tasks' keys apart.
 *
 * @example
 * ```ts
 * await queued.runTask('charge', { orderId: 17, cents: 500 }, { idempotencyKey: 'order:17' });
 * const job = await queued.queue.getJob(jobIdFor('charge', 'order:17')); // 'idem/charge/order%3A17'
 * console.log(await job?.getState()); // 'completed'
 * ```
 */
export function jobIdFor(taskName: string, key: string): string {
  return `idem/${escapeJobIdPart(taskName)}/${escapeJobIdPart(key)}`;
}

function escapeJobIdPart(part: string): string {
  return part.replace(/[%:/]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Creates the caller's side of the BullMQ backend: `runTask` adds a job to
 * `queue` and settles with the result a worker ({@link createBullmqWorker})
 * produces. Every call has a deadline (`timeout`, default 30 s).
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection, a bad queue name or bad options.
 *
 * @example
 * ```ts
 * import { createBullmqBackend } from '@hybridcompute/backend-bullmq';
 * import { createHybridCompute } from '@hybridcompute/core';
 * import * as tasks from './tasks.js';
 *
 * const queued = createBullmqBackend({ connection: process.env.REDIS_URL!, queue: 'compute', tasks, timeout: 60_000 });
 * const compute = createHybridCompute<typeof tasks>({ queued });
 * await compute.runTask('double', 21); // 42
 * await compute.close();
 * ```
 */
export function createBullmqBackend(options: BullmqBackendOptions): BullmqBackend {
  return new BullmqBackend(options);
}
