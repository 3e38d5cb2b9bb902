import {
  backendUnavailableError,
  runUnderDeadline,
  taskNotFoundError,
  type ComputeBackendLike,
} from '@hybridcompute/core';
import type { CallStop } from './call-stop.js';
import { createTasksBackend, type TasksBackend } from './create-tasks-backend.js';
import { refusal } from './error-body-of.js';
import type { ParsedCall } from './parse-call.js';
import { pumpStream, type ChunkSink } from './stream-pump.js';
import type { CallOrigin } from './call-origin.js';
import { traceServerCall, traceTaskRun } from './trace-server-call.js';

const untimed = { signal: undefined, timeout: undefined };

/** How a call ended, for the HTTP or WebSocket handler to answer. */
export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: unknown };

/** What `GET /tasks` answers (protocol decision 1 in docs/architecture.md). */
export interface TaskListing {
  tasks: readonly string[];
  /** Present, and `false`, when the backend cannot list its tasks: clients then ask per call. */
  listed?: false;
  maxConcurrency: number;
  /** Present, and `true`, when the server streams (`streamTask`, progress): see docs/architecture.md. */
  streaming?: true;
}

/**
 * Runs calls for the HTTP and WebSocket handlers alike: admission (draining,
 * `maxConcurrency`, unknown tasks), the deadline (`taskTimeout` and the
 * caller's own, through core's `runUnderDeadline`), stopping (the caller
 * went away or cancelled, the server shuts down), and the task list.
 */
export class CallRunner {
  readonly backend: ComputeBackendLike;
  readonly maxConcurrency: number;
  // Set when serving `tasks`: their signal is made only if a task reads it.
  readonly #tasksBackend: TasksBackend | undefined;
  readonly #taskNames: readonly string[] | undefined;
  readonly #taskTimeout: number | undefined;
  // The stop switch of every call running now: aborted all at once at the drain deadline.
  readonly #running = new Set<CallStop>();
  #draining = false;
  #onIdle: (() => void) | undefined;

  constructor(settings: {
    backend: ComputeBackendLike | undefined;
    tasks: Parameters<typeof createTasksBackend>[0] | undefined;
    taskNames: readonly string[] | undefined;
    maxConcurrency: number;
    taskTimeout: number | undefined;
  }) {
    this.#tasksBackend = settings.tasks === undefined ? undefined : createTasksBackend(settings.tasks);
    this.backend = this.#tasksBackend ?? (settings.backend as ComputeBackendLike);
    this.#taskNames = settings.taskNames;
    this.maxConcurrency = settings.maxConcurrency;
    this.#taskTimeout = settings.taskTimeout;
  }

  /** Calls running now. */
  get activeCalls(): number {
    return this.#running.size;
  }

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * The task names to report: the `taskNames` option, else the backend's own
   * list, read on every request because a worker pool or router learns its
   * tasks after it starts. `undefined` when neither can say.
   */
  get taskNames(): readonly string[] | undefined {
    if (this.#taskNames !== undefined) return this.#taskNames;
    const listed = (this.backend as { taskNames?: unknown }).taskNames;
    return Array.isArray(listed) ? (listed as string[]) : undefined;
  }

  /** `GET /tasks`: never `null`, so old clients see an empty list and new ones see `listed: false`. */
  taskListing(): TaskListing {
    const tasks = this.taskNames;
    const listing: TaskListing = tasks === undefined ? { tasks: [], listed: false, maxConcurrency: this.maxConcurrency } : { tasks, maxConcurrency: this.maxConcurrency };
    if (this.streaming) listing.streaming = true;
    return listing;
  }

  /** Whether the backend served can stream: the server's own `tasks` can, another backend if it has `streamTask`. */
  get streaming(): boolean {
    return typeof this.backend.streamTask === 'function';
  }

  /**
   * Runs one call. `stop` ends it from outside (caller gone, cancelled,
   * shutdown); its reason, a `ComputeError`, is what the call is answered
   * with. `callerTimeout` is the caller's deadline in ms, capped by
   * `taskTimeout`. Never rejects. The handler answers the outcome, then
   * reports what it answered with {@link CallRunner.answered}.
   */
  run(call: ParsedCall, callerTimeout: number | undefined, stop: CallStop, onProgress?: (value: unknown) => void): Promise<CallOutcome> {
    if (call.trace !== undefined) return traceServerCall(call.trace, call.task, () => this.#runUntraced(call, callerTimeout, stop, onProgress));
    return this.#runUntraced(call, callerTimeout, stop, onProgress);
  }

  async #runUntraced(call: ParsedCall, callerTimeout: number | undefined, stop: CallStop, onProgress: ((value: unknown) => void) | undefined): Promise<CallOutcome> {
    const refused = this.#refusal(call);
    if (refused !== undefined) return { ok: false, error: refused };
    const timeout = this.#timeoutOf(callerTimeout);
    this.#running.add(stop);
    try {
      // With a deadline, core joins it with the stop signal; without one, nothing is allocated unless the task asks for its signal.
      const options = timeout === undefined ? untimed : { signal: stop.signal, timeout };
      const work = runUnderDeadline(call.task, 'server', options, (signal) =>
        call.trace === undefined ? this.#invoke(call, signal, stop, onProgress) : traceTaskRun(call.task, () => this.#invoke(call, signal, stop, onProgress)),
      );
      return { ok: true, result: await stop.settle(work) };
    } catch (error) {
      // The server's own reasons (shutdown, caller gone) say more than the task's echo of them.
      return { ok: false, error: stop.reason ?? error };
    } finally {
      this.#release(stop);
    }
  }

  /**
   * Runs one streaming call, its chunks pulled into `sink` only while it
   * has room (see {@link pumpStream}), under the same admission and deadline
   * as {@link CallRunner.run}. Resolves `{ ok: true }` when the stream ended.
   * Never rejects.
   */
  stream(call: ParsedCall, callerTimeout: number | undefined, stop: CallStop, sink: ChunkSink, onProgress?: (value: unknown) => void): Promise<CallOutcome> {
    if (call.trace !== undefined) return traceServerCall(call.trace, call.task, () => this.#streamUntraced(call, callerTimeout, stop, sink, onProgress));
    return this.#streamUntraced(call, callerTimeout, stop, sink, onProgress);
  }

  async #streamUntraced(call: ParsedCall, callerTimeout: number | undefined, stop: CallStop, sink: ChunkSink, onProgress: ((value: unknown) => void) | undefined): Promise<CallOutcome> {
    const refused = this.#refusal(call) ?? (this.streaming ? undefined : refusal('INVALID_REQUEST', 'This server cannot stream: the backend it serves has no streamTask', call.task));
    if (refused !== undefined) return { ok: false, error: refused };
    const timeout = this.#timeoutOf(callerTimeout);
    this.#running.add(stop);
    try {
      const highWaterMark = typeof call.stream === 'number' ? call.stream : 1;
      const options = { signal: stop.signal, timeout, onProgress, highWaterMark };
      const streamTask = this.backend.streamTask as NonNullable<ComputeBackendLike['streamTask']>;
      return await pumpStream(streamTask.call(this.backend, call.task, call.input, options)[Symbol.asyncIterator](), stop, sink);
    } catch (error) {
      return { ok: false, error: stop.reason ?? error };
    } finally {
      this.#release(stop);
    }
  }

  /**
   * When a call from `origin` started, on the clock {@link CallRunner.answered}
   * reads: 0 here, so that a server without metrics or an access log reads
   * no clock and no address.
   */
  callStarted(_origin: CallOrigin): number {
    return 0;
  }

  /**
   * Notes how a call was answered, once its last byte or frame went (or the
   * caller was gone): `answered` is what the caller got, which is the
   * outcome unless the answer could not be encoded (a result or chunk its
   * encoding cannot carry is `TASK_FAILED`). `startedAt` is
   * {@link CallRunner.callStarted}'s. Nothing here; metrics and the access
   * log are {@link ObservedCallRunner}'s.
   */
  answered(_call: ParsedCall, _answered: CallOutcome, _startedAt: number, _origin: CallOrigin): void {}

  #refusal(call: ParsedCall): unknown {
    if (this.#draining) return refusal('BACKEND_UNAVAILABLE', 'The server is shutting down', call.task);
    if (this.#running.size >= this.maxConcurrency) return refusal('QUEUE_FULL', `The server is running ${this.maxConcurrency} calls, its limit; retry later`, call.task);
    if (!this.#canRun(call.task)) return taskNotFoundError(call.task, 'server', this.taskNames);
    return undefined;
  }

  #timeoutOf(callerTimeout: number | undefined): number | undefined {
    return this.#taskTimeout === undefined ? callerTimeout : Math.min(this.#taskTimeout, callerTimeout ?? this.#taskTimeout);
  }

  #release(stop: CallStop): void {
    this.#running.delete(stop);
    if (this.#running.size === 0) this.#onIdle?.();
  }

  #invoke(call: ParsedCall, signal: AbortSignal | undefined, stop: CallStop, onProgress: ((value: unknown) => void) | undefined): Promise<unknown> {
    if (this.#tasksBackend !== undefined) return this.#tasksBackend.runLazily(call.task, call.input, signal ?? (() => stop.signal), onProgress);
    return Promise.resolve(this.backend.runTask(call.task, call.input, onProgress === undefined ? { signal: signal ?? stop.signal } : { signal: signal ?? stop.signal, onProgress }));
  }

  /**
   * Stops taking calls, waits up to `drainTimeout` ms for those running, then
   * stops them with `BACKEND_UNAVAILABLE`.
   */
  async drain(drainTimeout: number): Promise<void> {
    this.#draining = true;
    if (this.#running.size > 0 && drainTimeout > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, drainTimeout);
        this.#onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const shutdown = backendUnavailableError('server', 'The server shut down before the call finished');
    for (const stop of [...this.#running]) stop.stop(shutdown);
  }

  #canRun(taskName: string): boolean {
    try {
      return this.backend.canRun(taskName) === true;
    } catch {
      // As the router does: a backend that cannot answer is not trusted with the call.
      return false;
    }
  }
}
