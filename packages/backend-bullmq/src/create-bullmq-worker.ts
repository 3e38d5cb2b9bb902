import {
  abortErrorFrom,
  CallDeadline,
  CloseOnce,
  ComputeError,
  computeErrorFrom,
  maxTimerDelay,
  settleOnAbort,
  taskFailedError,
  taskTimeoutError,
  type ComputeBackendLike,
} from '@hybridcompute/core';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { readBullmqWorkerOptions, type BullmqWorkerOptions } from './bullmq-worker-options.js';
import { cancelChannelOf, parseCancelMessage, type CancelCode } from './cancel-channel.js';
import { decodeJobValue, encodeJobFailure, encodeJobValue, isBullmqJobData, type BullmqJobResult } from './job-envelope.js';
import { msgpackCodec } from '@hybridcompute/wire';
import { JobProgressReporter } from './job-progress-reporter.js';
import { PendingCancels } from './pending-cancels.js';
import { traceJobProcess } from './trace-job.js';

export type { BullmqWorkerOptions } from './bullmq-worker-options.js';

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
  readonly #pendingCancels = new PendingCancels(pendingCancelMs);
  // The jobs running here, by job id: how to stop each, and when it was created (a cancel sent before is not for it).
  readonly #running = new Map<string, RunningJob>();
  readonly #subscribing: Promise<SubscriberLike | undefined>;
  readonly #closer = new CloseOnce(() => this.#close());
  #force = false;
  #client: RedisClientLike | undefined;
  #subscriber: SubscriberLike | undefined;

  constructor(options: BullmqWorkerOptions) {
    const read = readBullmqWorkerOptions(options);
    this.#backend = read.backend;
    this.#cancelChannel = cancelChannelOf(read.prefix, read.queue);
    // A processor of one parameter: BullMQ then makes no AbortController of its own per job.
    // Cancels reach the jobs through #running instead, so BullMQ's `worker.cancelJob` does not stop them.
    this.worker = new Worker<unknown, BullmqJobResult>(read.queue, (job) => traceJobProcess(read.queue, job, () => this.#process(job)), read.worker);
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
   * are left to the stalled-job check and run again elsewhere. Calling it
   * again returns the same promise (the first call's `force` holds).
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void worker.close()); // let the jobs in progress finish
   * process.once('SIGINT', () => void worker.close(true)); // leave them to another worker
   * ```
   */
  close(force = false): Promise<void> {
    if (!this.#closer.closed) this.#force = force;
    return this.#closer.close();
  }

  async #process(job: Job<unknown, BullmqJobResult>): Promise<BullmqJobResult> {
    const taskName = job.name;
    const { id: jobId, data } = job;
    if (!isBullmqJobData(data)) {
      throw failure(new ComputeError({ code: 'PROTOCOL_ERROR', message: `Job ${String(jobId)} is not a hybrid-compute job (its data has no input and deadline)`, taskName }), false);
    }
    const cancelled = jobId === undefined ? undefined : this.#pendingCancels.take(jobId, job.timestamp);
    if (cancelled !== undefined) throw failure(abortErrorFrom(cancelReason(cancelled.code), taskName), false);
    const remaining = Number.isFinite(data.deadline) ? data.deadline - Date.now() : 0;
    if (remaining <= 0) {
      // Its deadline passed while it waited in the queue: the call's whole timeout went by.
      const timeout = Number.isFinite(data.deadline) ? Math.max(0, Math.round(data.deadline - job.timestamp)) : 0;
      throw failure(taskTimeoutError(taskName, undefined, timeout), false);
    }
    // One AbortSignal per job, the job's own: a cancel aborts it, and so does the deadline, with core's
    // TASK_TIMEOUT. (runUnderDeadline would join them into a second signal per job, which costs
    // more than the rest of the job's handling here.)
    const stop = new AbortController();
    const deadline = new CallDeadline(taskName, undefined, { signal: undefined, timeout: Math.min(remaining, maxTimerDelay) }, (error) => stop.abort(error));
    if (jobId !== undefined) this.#running.set(jobId, { stop, taskName, created: job.timestamp });
    // Only a caller that listens asks for progress: the others' tasks report into nothing.
    const reporter = data.progress === true ? new JobProgressReporter(job, taskName, (error) => stop.abort(error)) : undefined;
    try {
      // Settles at the deadline or on cancel even when the backend ignores its signal, so the job frees its slot.
      const input = data.encoded === undefined ? data.input : decodeJobValue(data.encoded);
      const runOptions = reporter === undefined ? { signal: stop.signal } : { signal: stop.signal, onProgress: reporter.report };
      const result = await settleOnAbort(Promise.resolve(this.#backend.runTask(taskName, input, runOptions)), stop.signal, taskName);
      const unsendable = msgpackCodec.mismatchOf(result, 'result');
      if (unsendable !== undefined) throw taskFailedError(taskName, undefined, new TypeError(`Task '${taskName}' returned a value that cannot be stored: ${unsendable}`));
      return { encoded: encodeJobValue(result) };
    } catch (error) {
      const computeError = reporter?.failure ?? computeErrorFrom(error, 'TASK_FAILED', { taskName });
      // Only a task's own failure may be retried (and only when the task opted in with attempts).
      throw failure(computeError, computeError.code === 'TASK_FAILED' && !stop.signal.aborted);
    } finally {
      deadline.release();
      if (jobId !== undefined) this.#running.delete(jobId);
      // The result goes to Redis after the last progress event, so the caller reads every value first.
      await reporter?.finish();
    }
  }

  async #subscribe(): Promise<SubscriberLike | undefined> {
    const client = (await this.worker.client) as unknown as RedisClientLike;
    this.#client = client;
    if (this.#closer.closed) return undefined;
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
        if (running.created < sentAt) running.stop.abort(abortErrorFrom(cancelReason(request.code), running.taskName));
        return;
      }
      // Not running here: it may be about to start here, or run elsewhere.
      this.#pendingCancels.remember(request.jobId, request.code, sentAt);
    });
    await subscriber.subscribe(this.#cancelChannel);
    return subscriber;
  }

  async #close(): Promise<void> {
    const force = this.#force;
    // With Redis down, jobs in progress cannot report back, and a graceful close would wait for Redis
    // forever (ioredis holds QUIT until it reconnects): their locks expire and they run again elsewhere.
    const client = this.#client;
    // A subscribe still on its way sees the worker closed and creates no subscriber.
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
  /** Aborted when a caller asks for the job to stop, or its deadline passes. */
  readonly stop: AbortController;
  readonly taskName: string;
  /** The job's `timestamp`: when the caller created it. */
  readonly created: number;
}

/**
 * What a cancel aborts the job with: core's `abortErrorFrom` reads a
 * `TimeoutError` as `TASK_TIMEOUT` and anything else as `TASK_ABORTED`.
 */
function cancelReason(code: CancelCode): DOMException {
  return code === 'TASK_TIMEOUT'
    ? new DOMException("The caller's deadline passed", 'TimeoutError')
    : new DOMException('The caller aborted the call', 'AbortError');
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
