import {
  backendClosedError,
  backendUnavailableError,
  CallsInFlight,
  CloseOnce,
  ComputeError,
  invalidArgumentError,
  messageOf,
  readRunOptions,
  taskNotFoundError,
  type CallOptions,
  type ComputeBackendInterface,
  type StreamTaskOptions,
  type BackendTasksFrom,
  type TaskCollection,
  type TypedBackend,
} from '@hybridcompute/core';
import { Queue, type JobsOptions } from 'bullmq';
import { AcceptanceWatch } from './acceptance-watch.js';
import type { BullmqBackendStats } from './bullmq-backend-stats.js';
import { connectionOptionsOf, type RedisClientLike } from './bullmq-connection.js';
import {
  idempotencyKeyOf,
  readBullmqBackendOptions,
  type BullmqBackendOptions,
  type BullmqRunTaskOptions,
  type CheckedBullmqBackendOptions,
} from './bullmq-backend-options.js';
import { cancelChannelOf, type CancelCode, type CancelMessage } from './cancel-channel.js';
import { JobEvents } from './job-events.js';
import { jobIdOfCall } from './job-id-for.js';
import { JobRecheck } from './job-recheck.js';
import { traceEnqueue } from './trace-job.js';
import { encodeJobValue, type BullmqJobData } from './job-envelope.js';
import { msgpackCodec } from '@hybridcompute/wire';
import { JobWaiters, type JobCall, type WaitingCall } from './job-waiters.js';
import { refusedStream } from './refused-stream.js';

function ignore(): void {}

/**
 * Runs tasks as BullMQ jobs on Redis: durable, queued execution across
 * machines. Each call adds a job and waits for its result through one
 * `QueueEvents` shared by all calls; workers started with
 * {@link createBullmqWorker} run the jobs on the backend they are given.
 *
 * Delivery is at-least-once: a job whose worker dies is run again by another.
 * It has no fixed capacity (the workers decide how many jobs run), so it
 * reports no `load()`: the router's placement treats its capacity as unknown.
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
  readonly #options: CheckedBullmqBackendOptions;
  readonly #taskNames: readonly string[] | undefined;
  // What a call without options runs with, made once: most calls have none.
  readonly #defaultCallOptions: CallOptions;
  readonly #cancelChannel: string;
  readonly #calls: CallsInFlight<JobCall>;
  readonly #waiters: JobWaiters;
  readonly #recheck: JobRecheck;
  readonly #acceptance: AcceptanceWatch<WaitingCall>;
  readonly #events: JobEvents;
  readonly #closer = new CloseOnce(() => this.#shutdown());
  #client: RedisClientLike | undefined;
  #starting: Promise<void> | undefined;
  // The last connection error since the connection was last ready; calls fail fast while it is set.
  #connectionError: unknown;

  constructor(options: BullmqBackendOptions) {
    const checked = readBullmqBackendOptions(options);
    this.#options = checked;
    this.name = checked.name;
    this.#taskNames = checked.taskNames === undefined ? undefined : Object.freeze([...checked.taskNames]);
    this.#cancelChannel = cancelChannelOf(checked.prefix, checked.queueName);
    this.#defaultCallOptions = Object.freeze({ signal: undefined, timeout: checked.timeout });
    this.#calls = new CallsInFlight<JobCall>({ backend: this.name, onExpire: (call, error) => this.#giveUp(call, error) });
    this.#acceptance = new AcceptanceWatch<WaitingCall>(checked.connectTimeout, (call) => this.#acceptedTooLate(call));
    this.queue = new Queue(checked.queueName, { connection: connectionOptionsOf(checked.connection), prefix: checked.prefix });
    // Without a listener an 'error' event would crash the process; errors surface through calls instead.
    this.queue.on('error', (error) => {
      this.#connectionError = error;
    });
    this.queue.on('ioredis:close', () => {
      this.#connectionError ??= new Error('the connection to Redis closed');
    });
    const waiters = new JobWaiters(this.name, checked.queueName);
    this.#waiters = waiters;
    this.#recheck = new JobRecheck(this.queue, waiters, checked.recheckInterval);
    this.#events = new JobEvents(this.queue, checked.connection, checked.prefix, {
      completed: (jobId, returnvalue) => waiters.completed(jobId, returnvalue),
      failed: (jobId, failedReason) => waiters.failed(jobId, failedReason),
      removed: (jobId) => this.#recheck.confirmRemoved(jobId),
      progress: (jobId, value) => waiters.progress(jobId, value),
      unreadable: (jobId, error) => waiters.unreadable(jobId, error),
      resumed: () => this.#recheck.all(),
      // Redis is away: the next call starts everything again.
      lost: () => {
        this.#starting = undefined;
      },
    });
  }

  /** The task names given as `tasks`, or `undefined` when the workers decide. */
  get taskNames(): readonly string[] | undefined {
    return this.#taskNames;
  }

  /**
   * What this backend is doing now: `waiting` counts the calls that wait for
   * a job (queued, running, or not yet accepted by Redis); `completed`,
   * `failed`, `timedOut` and `aborted` count the calls settled since it was made.
   *
   * @example
   * ```ts
   * const { waiting, failed } = queued.stats();
   * if (waiting > 1_000) console.warn(`the queue is falling behind (${failed} failed so far)`);
   * ```
   */
  stats(): BullmqBackendStats {
    const { completed, failed, timedOut, aborted } = this.#calls.counts;
    return { waiting: this.#calls.size, completed, failed, timedOut, aborted };
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
    if (this.#closer.closed || typeof taskName !== 'string' || taskName.length === 0) return false;
    return this.#options.taskNames === undefined || this.#options.taskNames.has(taskName);
  }

  /**
   * Adds a job for the task and settles with its result. With `onProgress`,
   * the task's `ctx.progress` values arrive in order, before the result.
   *
   * Rejects (never throws) with `TASK_NOT_FOUND` for a task outside `tasks`;
   * `TASK_FAILED` when the task failed on the worker (its error as `cause`,
   * `code` kept); `TASK_TIMEOUT` when the deadline passes (the worker is told
   * to stop); `TASK_ABORTED` when `signal` aborts (a job not yet started is
   * removed, a running one is told to stop); `BACKEND_UNAVAILABLE` when Redis
   * cannot be reached or does not accept the job within `connectTimeout`, and
   * once the backend is closed; a `TypeError` (code `INVALID_REQUEST`) for bad
   * arguments or an input that cannot be sent as JSON.
   *
   * @example
   * ```ts
   * const controller = new AbortController();
   * const doubled = await queued.runTask<number, number>('double', 21, { signal: controller.signal, timeout: 5_000 }); // 42
   * await queued.runTask('countPrimes', 1e7, { onProgress: (done) => console.log(done) });
   * ```
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: BullmqRunTaskOptions): Promise<Output> {
    return this.#run(taskName, input, options) as Promise<Output>;
  }

  /**
   * Stops waiting: calls in flight reject with `BACKEND_UNAVAILABLE` (their
   * jobs stay in the queue and still run), then the connections close.
   * Calling it again returns the same promise.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void queued.close());
   * ```
   */
  close(): Promise<void> {
    return this.#closer.close();
  }

  #run(taskName: string, input: unknown, options: BullmqRunTaskOptions | undefined): Promise<unknown> {
    if (typeof taskName !== 'string' || taskName.length === 0) {
      return Promise.reject(invalidArgumentError(`runTask: the task name must be a non-empty string, got ${typeof taskName}`));
    }
    if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
    const { taskNames, timeout: defaultTimeout, connectTimeout } = this.#options;
    if (taskNames !== undefined && !taskNames.has(taskName)) return Promise.reject(taskNotFoundError(taskName, this.name, taskNames));
    let read: CallOptions;
    let key: string | undefined;
    try {
      read = readRunOptions(taskName, options);
      key = idempotencyKeyOf(taskName, input, options, this.#options.idempotencyKey);
    } catch (error) {
      return Promise.reject(error);
    }
    // Read before the defaults replace the options.
    const { onProgress } = read;
    // Every call has a deadline: the backend's timeout when the call names none.
    const timeout = read.timeout ?? defaultTimeout;
    if (read.timeout === undefined) read = read.signal === undefined ? this.#defaultCallOptions : { signal: read.signal, timeout };
    const state: JobCall = { jobId: jobIdOfCall(taskName, key), accepted: false, missing: false, since: Date.now(), onProgress };
    const call = this.#calls.open<unknown>(taskName, read, state);
    if (call.settled) return call.promise;
    this.#waiters.add(call);
    // Bounded even when the connection looks ready: it may have dropped a moment ago, and ioredis
    // keeps a command for a connection that comes back, however long that takes.
    if (connectTimeout < timeout) this.#acceptance.add(call);
    this.#recheck.schedule();
    this.#enqueue(call, input, state.since + timeout, key !== undefined);
    return call.promise;
  }

  /**
   * Refuses: a queue cannot stream (a job carries one answer). Iterating
   * rejects at the first step with `INVALID_REQUEST`, naming the task and the
   * backend. `runTask` on a streaming task resolves with its return value,
   * and `onProgress` carries values along the way.
   *
   * @example
   * ```ts
   * for await (const tile of queued.streamTask('tiles', image)) draw(tile); // rejects: INVALID_REQUEST
   * ```
   */
  streamTask(taskName: string, _input: unknown, _options?: StreamTaskOptions): AsyncIterable<never> {
    return refusedStream(this.name, taskName);
  }

  #enqueue(call: WaitingCall, input: unknown, deadline: number, idempotent: boolean): void {
    const { taskName } = call;
    const { jobId } = call.state;
    const ready = this.#events.reading && this.#client?.status === 'ready';
    if (!ready && this.#connectionError !== undefined && this.#starting !== undefined) {
      this.#rejectCall(call, this.#unavailable(taskName, `Redis is unreachable: ${messageOf(this.#connectionError)}`, this.#connectionError));
      return;
    }
    const retry = this.#options.retry?.[taskName];
    const jobOptions: JobsOptions = { ...this.#options.jobOptions, jobId };
    if (retry !== undefined) {
      jobOptions.attempts = retry.attempts;
      if (retry.backoff !== undefined) jobOptions.backoff = retry.backoff;
    }
    // Nothing goes into Redis changed: what MessagePack cannot carry (a function) is refused here.
    const unsendable = msgpackCodec.mismatchOf(input, 'input');
    if (unsendable !== undefined) {
      this.#rejectCall(call, new ComputeError({ code: 'INVALID_REQUEST', message: unsendable, taskName, backend: this.name }));
      return;
    }
    const data: BullmqJobData = { encoded: encodeJobValue(input), deadline };
    if (call.state.onProgress !== undefined) data.progress = true;
    const add = (): Promise<unknown> => traceEnqueue(this.queue.name, taskName, jobId, data, () => this.queue.add(taskName, data, jobOptions));
    const added = ready ? add() : (this.#starting ??= this.#start()).then(add);
    added.then(
      () => {
        call.state.accepted = true;
        this.#acceptance.delete(call);
        if (call.settled) {
          // Given up on while Redis was still taking the job: take it back.
          if (!this.#waiters.has(jobId)) this.#cancelJob(jobId, 'TASK_ABORTED');
          return;
        }
        // A job under this key may have finished before this call: no event will come for it.
        if (idempotent) this.#recheck.settleIfFinished(jobId);
      },
      (error: unknown) => {
        if (error instanceof TypeError) {
          this.#rejectCall(call, Object.assign(invalidArgumentError(`runTask('${taskName}'): the job could not be added: ${error.message}`), { cause: error }));
        } else {
          this.#rejectCall(call, this.#unavailable(taskName, `Redis did not accept the job: ${messageOf(error)}`, error));
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
      if (this.#closer.closed) return;
      await this.#events.open(client);
      this.#connectionError = undefined;
    } catch (error) {
      // The next call tries again.
      this.#starting = undefined;
      throw error;
    }
  }

  /** `connectTimeout` passed before Redis took the call's job. */
  #acceptedTooLate(call: WaitingCall): void {
    if (call.settled || call.state.accepted) return;
    const cause = this.#connectionError;
    // Only this call: others that share the job may still wait for it; the job is taken back once added, if nobody does.
    const reason = cause === undefined ? '' : `: ${messageOf(cause)}`;
    this.#rejectCall(call, this.#unavailable(call.taskName, `Redis did not accept the job within ${this.#acceptance.bound} ms${reason}`, cause));
  }

  /** The call's deadline passed or its signal aborted (it has rejected): stop its job if nobody else waits for it. */
  #giveUp(call: WaitingCall, error: ComputeError): void {
    this.#acceptance.delete(call);
    if (!this.#waiters.remove(call)) return;
    this.#cancelJob(call.state.jobId, error.code === 'TASK_TIMEOUT' ? 'TASK_TIMEOUT' : 'TASK_ABORTED');
  }

  /** Rejects one call of a job; the others that share the job wait on. */
  #rejectCall(call: WaitingCall, error: unknown): void {
    if (!call.reject(error)) return;
    this.#acceptance.delete(call);
    this.#waiters.remove(call);
  }

  /** Removes a job that has not started, and asks the workers to stop it if it has. Best effort: never rejects. */
  #cancelJob(jobId: string, code: CancelCode): void {
    if (this.#closer.closed) return;
    // A job that is running is locked, and remove() leaves it alone; the workers hear about it on the channel.
    this.queue.remove(jobId).then(ignore, ignore);
    const message: CancelMessage = { jobId, code, sentAt: Date.now() };
    this.#client?.publish(this.#cancelChannel, JSON.stringify(message)).then(ignore, ignore);
  }

  async #shutdown(): Promise<void> {
    this.#recheck.stop();
    this.#acceptance.clear();
    // Their jobs stay in the queue and still run; nobody waits for them here any more.
    this.#calls.rejectAll((call: WaitingCall) => backendClosedError(this.name, call.taskName));
    this.#waiters.clear();
    // A start still waiting for Redis sees the backend closed and opens no events.
    // A graceful close sends QUIT, which ioredis would hold until Redis is back: drop a broken connection first.
    // (A connection that never came up is dropped by close() itself.)
    if (this.#client !== undefined && this.#client.status !== 'ready') this.#client.disconnect();
    await Promise.allSettled([this.queue.close(), this.#events.close()]);
  }

  #unavailable(taskName: string, message: string, cause: unknown): ComputeError {
    return backendUnavailableError(this.name, message, cause === undefined ? { taskName } : { taskName, cause });
  }
}

/**
 * Creates the caller's side of the BullMQ backend: `runTask` adds a job to
 * `queue` and settles with the result a worker ({@link createBullmqWorker})
 * produces. Every call has a deadline (`timeout`, default 30 s).
 *
 * The backend carries its tasks' types for the router: those of `tasks` when
 * given definitions, the names with `unknown` inputs and outputs when given
 * names, or those of the type argument (`createBullmqBackend<typeof tasks>`,
 * with `import type * as tasks`). With neither, it carries none, and a router
 * using it takes any task name.
 *
 * @typeParam Tasks - optional: `typeof tasks` of the module the workers serve.
 * @typeParam Declared - inferred from `tasks`.
 * @throws TypeError (code `INVALID_REQUEST`) for a missing connection, a bad queue name or bad options.
 *
 * @example
 * ```ts
 * import { createBullmqBackend } from '@hybridcompute/backend-bullmq';
 * import { createHybridCompute } from '@hybridcompute/core';
 * import * as tasks from './tasks.js';
 *
 * const queued = createBullmqBackend({ connection: process.env.REDIS_URL!, queue: 'compute', tasks, timeout: 60_000 });
 * const compute = createHybridCompute({ queued }); // typed by tasks
 * await compute.runTask('double', 21); // 42
 * await compute.close();
 * ```
 */
export function createBullmqBackend<Tasks = never, const Declared extends readonly string[] | TaskCollection = readonly string[] | TaskCollection>(
  options: BullmqBackendOptions<Declared>,
): TypedBackend<BullmqBackend, BackendTasksFrom<Tasks, Declared>> {
  return new BullmqBackend(options);
}
