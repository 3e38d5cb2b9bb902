import { computeErrorFrom, ComputeError, messageOf, type InFlightCall } from '@hybridcompute/core';
import { decodeJobFailure, isBullmqJobResult, progressValueOf, resultOfJob } from './job-envelope.js';

/** What the backend keeps with each call in flight. */
export interface JobCall {
  readonly jobId: string;
  /** Whether Redis has taken the job. */
  accepted: boolean;
  /** Whether a recheck already found the job gone from Redis (a second time settles the call). */
  missing: boolean;
  /** When the call was made (`Date.now()` time). */
  readonly since: number;
  /** The caller's `onProgress`, when it listens for progress. */
  readonly onProgress?: ((value: unknown) => void) | undefined;
}

/** A call waiting for its job, in the backend's table of calls in flight. */
export type WaitingCall = InFlightCall<unknown, JobCall>;

/**
 * The calls waiting for each job, by job id, and what settles them: the
 * job's completion, failure or removal. Calls that share an idempotency key
 * share a job, so one job may have several; most have one. Waiting starts
 * before the job is added, so no event about it can slip past.
 */
export class JobWaiters {
  readonly #backend: string;
  readonly #queueName: string;
  readonly #byJob = new Map<string, WaitingCall[]>();

  /** @param backend - the name errors report as their `backend`; `queueName` is for messages. */
  constructor(backend: string, queueName: string) {
    this.#backend = backend;
    this.#queueName = queueName;
  }

  /** How many jobs have calls waiting for them. */
  get jobs(): number {
    return this.#byJob.size;
  }

  add(call: WaitingCall): void {
    const calls = this.#byJob.get(call.state.jobId);
    if (calls === undefined) this.#byJob.set(call.state.jobId, [call]);
    else calls.push(call);
  }

  /** Stops `call` waiting for its job; `true` when nobody waits for the job any more. */
  remove(call: WaitingCall): boolean {
    const { jobId } = call.state;
    const calls = this.#byJob.get(jobId);
    if (calls === undefined) return true;
    const index = calls.indexOf(call);
    if (index !== -1) calls.splice(index, 1);
    if (calls.length > 0) return false;
    this.#byJob.delete(jobId);
    return true;
  }

  has(jobId: string): boolean {
    return this.#byJob.has(jobId);
  }

  /** The calls waiting for the job, oldest first; `undefined` when none. */
  get(jobId: string): readonly WaitingCall[] | undefined {
    return this.#byJob.get(jobId);
  }

  /** Each job with its calls, oldest first. */
  entries(): IterableIterator<[string, readonly WaitingCall[]]> {
    return this.#byJob.entries();
  }

  /** Forgets every job: for close, after the calls were rejected. */
  clear(): void {
    this.#byJob.clear();
  }

  /** The job completed: its calls resolve with the result, or reject with `PROTOCOL_ERROR` when it is not a result envelope. */
  completed(jobId: string, returnvalue: unknown): void {
    const taskName = this.#taskNameOf(jobId);
    if (taskName === undefined) return;
    if (isBullmqJobResult(returnvalue)) {
      let result: unknown;
      try {
        result = resultOfJob(returnvalue);
      } catch (error) {
        this.#rejectJob(jobId, computeErrorFrom(error, 'PROTOCOL_ERROR', { taskName, backend: this.#backend }));
        return;
      }
      for (const call of this.#take(jobId)) call.resolve(result);
      return;
    }
    this.#rejectJob(
      jobId,
      new ComputeError({
        code: 'PROTOCOL_ERROR',
        message: `Job ${jobId} for task '${taskName}' returned something other than a hybrid-compute result: is a worker outside @hybridcompute/backend-bullmq consuming queue '${this.#queueName}'?`,
        taskName,
        backend: this.#backend,
      }),
    );
  }

  /**
   * The job reported progress: each of its calls that listens gets the value,
   * now, so before the result, whose event comes later in the same stream.
   *
   * @throws `PROTOCOL_ERROR` for a value that is not this package's encoding (the event handler rejects the job's calls with it).
   */
  progress(jobId: string, data: unknown): void {
    const calls = this.#byJob.get(jobId);
    if (calls === undefined || !calls.some((call) => call.state.onProgress !== undefined)) return;
    const value = progressValueOf(data);
    // A copy: a callback may abort its own call, which takes it out of the list.
    for (const call of [...calls]) {
      const { onProgress } = call.state;
      if (onProgress === undefined || call.settled) continue;
      try {
        onProgress(value);
      } catch {
        // The caller's callback failing is the caller's business; the call goes on.
      }
    }
  }

  /** The job failed: its calls reject with the error its failed reason carries. */
  failed(jobId: string, failedReason: unknown): void {
    const taskName = this.#taskNameOf(jobId);
    if (taskName !== undefined) this.#rejectJob(jobId, decodeJobFailure(failedReason, taskName, this.#backend));
  }

  /** Someone removed the job: no result will come. */
  removed(jobId: string): void {
    const taskName = this.#taskNameOf(jobId);
    if (taskName === undefined) return;
    const message = `Task '${taskName}' was aborted: its job ${jobId} was removed from the queue`;
    this.#rejectJob(jobId, new ComputeError({ code: 'TASK_ABORTED', message, taskName, backend: this.#backend }));
  }

  /** The job's event could not be read: its calls reject instead of waiting for an event that will not come. */
  unreadable(jobId: unknown, error: unknown): void {
    const taskName = typeof jobId === 'string' ? this.#taskNameOf(jobId) : undefined;
    if (taskName === undefined) return;
    const message = `The event for job ${String(jobId)} could not be read: ${messageOf(error)}`;
    this.#rejectJob(jobId as string, new ComputeError({ code: 'PROTOCOL_ERROR', message, taskName, backend: this.#backend, cause: error }));
  }

  #taskNameOf(jobId: string): string | undefined {
    return this.#byJob.get(jobId)?.[0]?.taskName;
  }

  #take(jobId: string): readonly WaitingCall[] {
    const calls = this.#byJob.get(jobId);
    if (calls === undefined) return [];
    this.#byJob.delete(jobId);
    return calls;
  }

  #rejectJob(jobId: string, error: ComputeError): void {
    for (const call of this.#take(jobId)) call.reject(error);
  }
}
