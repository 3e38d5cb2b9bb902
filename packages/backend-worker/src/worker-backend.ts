import {
  backendClosedError,
  CallsInFlight,
  CloseOnce,
  ComputeError,
  lazyStream,
  readRunOptions,
  readStreamOptions,
  taskNotFoundError,
  type CallOptions,
  type ComputeBackendInterface,
  type StreamTaskOptions,
} from '@hybridcompute/core';
import { CallQueue } from './call-queue.js';
import { DurationSamples } from './duration-samples.js';
import { readWorkerBackendOptions, type WorkerPoolSettings } from './read-worker-backend-options.js';
import { webWorkerPlatform } from './web-worker-platform.js';
import type { WorkerBackendOptions, WorkerRunTaskOptions } from './worker-backend-options.js';
import type { BackendLoad, WorkerBackendStats } from './worker-backend-stats.js';
import { unavailableFor, workerCallError } from './worker-call-error.js';
import { WorkerCallState, type WorkerCall } from './worker-call.js';
import type { WorkerChannel } from './worker-channel.js';
import { WorkerFleet, type WorkerFleetEvents } from './worker-fleet.js';
import type { WorkerPlatform } from './worker-platform.js';
import { WorkerStream, type WorkerStreamControl } from './worker-stream.js';
import { activeTraceCarrier } from './trace-context-carrier.js';

/**
 * A pool of workers (module Web Workers in browsers, worker_threads in Node)
 * running tasks that a worker file exposes with `exposeTasks`. Create it with
 * {@link createWorkerBackend}.
 *
 * Calls go to the least-loaded worker, several at a time per worker; the rest
 * wait in a queue. A worker that crashes is replaced and its calls reject with
 * `BACKEND_UNAVAILABLE`, so a router can fall back to another backend.
 *
 * @example
 * ```ts
 * import { createWorkerBackend, type WorkerBackend } from '@hybridcompute/backend-worker';
 *
 * const worker: WorkerBackend = createWorkerBackend({ url: new URL('./tasks.worker.js', import.meta.url) });
 * console.log(worker.starting); // true: no worker has finished its handshake
 * await worker.ready();
 * console.log(worker.taskNames, worker.size, worker.load()); // ['double', ...] 8 { inFlight: 0, capacity: 64, queued: 0, parallelism: 8 }
 * await worker.close();
 * ```
 */
export class WorkerBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name: string;
  /** How many workers the pool keeps running. */
  readonly size: number;

  readonly #settings: WorkerPoolSettings;
  readonly #calls: CallsInFlight<WorkerCallState>;
  readonly #queue = new CallQueue<WorkerCall>();
  readonly #samples = new DurationSamples();
  readonly #fleet: WorkerFleet;
  readonly #closer = new CloseOnce(() => this.#shutdown());
  // The options of a call with neither signal nor timeout under `taskTimeout`, made once.
  readonly #defaultTimeout: CallOptions | undefined;

  /**
   * @param options - see {@link WorkerBackendOptions}.
   * @param platform - how workers are made; the package's entry points pass the right one.
   * @throws TypeError (code `INVALID_REQUEST`) for a missing `url` or an option of the wrong kind.
   */
  constructor(options: WorkerBackendOptions, platform: WorkerPlatform = webWorkerPlatform) {
    const settings = readWorkerBackendOptions(options, () => platform.defaultSize());
    this.#settings = settings;
    this.name = settings.name;
    this.size = settings.size;
    this.#defaultTimeout = settings.taskTimeout === undefined ? undefined : Object.freeze({ signal: undefined, timeout: settings.taskTimeout });
    this.#calls = new CallsInFlight<WorkerCallState>({ backend: this.name, onExpire: this.#onExpire });
    this.#fleet = new WorkerFleet(settings, platform, this.#fleetEvents);
  }

  /**
   * Resolves once every worker has started and run `exposeTasks`: from then on
   * `canRun` knows the workers' tasks. Rejects with `BACKEND_UNAVAILABLE` when a
   * worker file fails to load (its error as `cause`) or the backend is closed
   * first. Calls made before it resolves wait in the queue.
   *
   * @example
   * ```ts
   * try {
   *   await worker.ready();
   * } catch (error) {
   *   console.error('the worker file did not start', (error as Error).cause);
   * }
   * ```
   */
  ready(): Promise<void> {
    return this.#fleet.allStarted;
  }

  /**
   * The tasks the workers expose, from the first handshake on; before it, the
   * names declared in the `tasks` option, or none. While the list is not the
   * workers' own yet, {@link WorkerBackend.starting} is `true`. A fresh copy on
   * every read.
   */
  get taskNames(): string[] {
    return [...(this.#fleet.taskNames ?? this.#settings.declaredTasks ?? [])];
  }

  /**
   * `true` until a worker has finished its handshake (and the pool neither
   * broke nor closed first), so that a router that cannot place a call says
   * "worker is still starting: await worker.ready()".
   */
  get starting(): boolean {
    return this.#fleet.taskNames === undefined && this.#fleet.broken === undefined && !this.#closer.closed;
  }

  /** Whether the workers expose a task of that name (before `ready()`: whether it was declared in `tasks`). */
  canRun(taskName: string): boolean {
    if (this.#closer.closed || this.#fleet.broken !== undefined) return false;
    return (this.#fleet.taskNames ?? this.#settings.declaredTasks)?.has(taskName) ?? false;
  }

  /**
   * Runs the task on a worker. Rejects (never throws) with `TASK_NOT_FOUND`,
   * `TASK_FAILED` (the task's error as `cause`, with its name, message, `code`
   * and other properties), `TASK_TIMEOUT` / `TASK_ABORTED` (run time only
   * counts toward a timeout), `QUEUE_FULL`, `INVALID_REQUEST` (bad options, an
   * input that cannot be cloned) or `BACKEND_UNAVAILABLE` (the worker died, the
   * files failed to load, the backend is closed). Every error names the task
   * and this backend.
   *
   * @param options - `{ signal }` (`null` means none), `{ timeout }` in
   *   milliseconds of run time, overriding `taskTimeout`, and `{ onProgress }`,
   *   which gets every value the task passes to `ctx.progress`, in order,
   *   before the call settles.
   *
   * @example
   * ```ts
   * const doubled = await worker.runTask<number, number>('double', 21); // 42
   * await worker.runTask('render', scene, { signal: AbortSignal.timeout(5_000) });
   * await worker.runTask('render', scene, { onProgress: (done) => console.log(done) }); // the task's ctx.progress values
   * ```
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: WorkerRunTaskOptions): Promise<Output> {
    if (this.#closer.closed) return Promise.reject(backendClosedError(this.name, taskName));
    let read: CallOptions;
    try {
      read = readRunOptions(taskName, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { broken, taskNames } = this.#fleet;
    if (broken !== undefined) return Promise.reject(unavailableFor(broken, taskName));
    if (taskNames !== undefined && !taskNames.has(taskName)) return Promise.reject(taskNotFoundError(taskName, this.name, taskNames));
    const { taskTimeout } = this.#settings;
    if (read.timeout === undefined && taskTimeout !== undefined) {
      read = read.signal === undefined && read.onProgress === undefined ? this.#defaultTimeout! : { ...read, timeout: taskTimeout };
    }
    const channel = this.#leastLoaded();
    if (channel === undefined && this.#queue.size >= this.#settings.maxQueue) return Promise.reject(this.#queueFull(taskName));
    // The timeout counts run time only: it starts when a worker takes the call.
    const call = this.#calls.open<Output>(taskName, read, new WorkerCallState(input, read.onProgress), false);
    call.state.traceCarrier = activeTraceCarrier();
    if (call.settled) return call.promise;
    this.#place(call, channel);
    return call.promise;
  }

  /**
   * Runs a streaming task (an `async function*`) on a worker and yields its
   * chunks as they come. At most `highWaterMark` chunks (default 16) are on
   * their way between the worker and the loop: a loop that stops reading
   * pauses the task at its `yield`, and the call keeps its worker slot.
   * Chunks the task wraps in `transfer(chunk, list)` move instead of being
   * copied. Leaving the loop early (`break`, `return`, a throw in its body)
   * closes the generator in the worker (its `finally` runs), aborts its
   * `ctx.signal` and frees the slot. Errors reject the loop's next step with
   * the codes of `runTask`: a task error (`TASK_FAILED`) once the chunks sent
   * before it are read; `TASK_TIMEOUT` / `TASK_ABORTED` at once (run time
   * counts, as for `runTask`); `BACKEND_UNAVAILABLE` when the worker dies; a
   * task that does not stream, with `INVALID_REQUEST`.
   *
   * @example
   * ```ts
   * for await (const tile of worker.streamTask('blurTiles', image, { highWaterMark: 4, timeout: 60_000 })) draw(tile);
   * ```
   */
  streamTask(taskName: string, input: unknown, options?: StreamTaskOptions): AsyncIterable<unknown> {
    return lazyStream(() => this.#openStream(taskName, input, options));
  }

  #openStream(taskName: string, input: unknown, options: StreamTaskOptions | undefined): AsyncIterable<unknown> {
    if (this.#closer.closed) throw backendClosedError(this.name, taskName);
    const checked = readStreamOptions(taskName, options);
    let read: CallOptions = checked;
    const stream = new WorkerStream(checked.highWaterMark, this.#streamControl);
    const { broken, taskNames } = this.#fleet;
    if (broken !== undefined) throw unavailableFor(broken, taskName);
    if (taskNames !== undefined && !taskNames.has(taskName)) throw taskNotFoundError(taskName, this.name, taskNames);
    const { taskTimeout } = this.#settings;
    if (read.timeout === undefined && taskTimeout !== undefined) read = { ...read, timeout: taskTimeout };
    const channel = this.#leastLoaded();
    if (channel === undefined && this.#queue.size >= this.#settings.maxQueue) throw this.#queueFull(taskName);
    const call = this.#calls.open(taskName, read, new WorkerCallState(input, read.onProgress, stream), false);
    call.state.traceCarrier = activeTraceCarrier();
    stream.follow(call);
    if (!call.settled) this.#place(call, channel);
    return stream;
  }

  readonly #streamControl: WorkerStreamControl = {
    grant: (call, credit) => {
      if (call.state.phase === 'running') call.state.channel!.grant(call, credit);
    },
    stop: (call, error) => {
      if (call.reject(error)) this.#onExpire(call, error);
    },
  };

  #queueFull(taskName: string): ComputeError {
    const message = `The ${this.name} backend's queue is full (${this.#settings.maxQueue} calls waiting)`;
    return new ComputeError({ code: 'QUEUE_FULL', message, taskName, backend: this.name });
  }

  #place(call: WorkerCall, channel: WorkerChannel | undefined): void {
    if (channel !== undefined) {
      this.#start(call, channel);
    } else {
      call.state.enqueuedAt = performance.now();
      this.#queue.push(call);
    }
  }

  /**
   * Counters and recent timings; cheap enough to poll. Timeouts and aborts
   * count apart from failures (see {@link WorkerBackendStats}).
   *
   * @example
   * ```ts
   * setInterval(() => console.log(worker.stats()), 10_000);
   * // { workers: 4, queued: 0, running: 3, completed: 1200, failed: 2, timedOut: 1, aborted: 0, runTime: { p50: 4.1, ... }, waitTime: { ... } }
   * ```
   */
  stats(): WorkerBackendStats {
    const { completed, failed, timedOut, aborted } = this.#calls.counts;
    return {
      workers: this.#fleet.ready.length,
      queued: this.#queue.size,
      running: this.#running(),
      completed,
      failed,
      timedOut,
      aborted,
      runTime: this.#samples.runTime,
      waitTime: this.#samples.waitTime,
    };
  }

  /**
   * How busy the pool is, for placing calls: `inFlight` calls on its workers
   * (aborted ones until their task stops), `capacity` = workers that took
   * their handshake × `concurrentTasksPerWorker` (0 while none has, or after
   * `close()`), `queued` calls waiting for a worker, and `parallelism` = those
   * workers: each runs one synchronous task at a time, so placement models the
   * wait on them, not on the calls a worker takes ahead to hide its round trip.
   *
   * @example
   * ```ts
   * const { inFlight, capacity, queued } = worker.load();
   * if (inFlight + queued >= capacity) console.log('the pool is saturated; new calls will wait');
   * ```
   */
  load(): Required<BackendLoad> {
    const workers = this.#fleet.ready.length;
    return { inFlight: this.#running(), capacity: workers * this.#settings.concurrentTasksPerWorker, queued: this.#queue.size, parallelism: workers };
  }

  /**
   * Rejects every call still queued or running with `BACKEND_UNAVAILABLE`,
   * terminates every worker and resolves once they are gone, so the process
   * can exit. Later calls reject; calling `close()` again returns the same promise.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void worker.close());
   * ```
   */
  close(): Promise<void> {
    return this.#closer.close();
  }

  #shutdown(): Promise<void> {
    this.#queue.clear();
    this.#calls.rejectAll((call: WorkerCall) => backendClosedError(this.name, call.taskName));
    return this.#fleet.close(backendClosedError(this.name));
  }

  #running(): number {
    let running = 0;
    for (const channel of this.#fleet.ready) running += channel.inFlight;
    return running;
  }

  readonly #fleetEvents: WorkerFleetEvents = {
    joined: (channel) => this.#drain(channel),
    answered: (channel, call, ok, value) => {
      const { startedAt, enqueuedAt } = call.state;
      this.#samples.record(performance.now() - startedAt, enqueuedAt === 0 ? 0 : startedAt - enqueuedAt);
      if (ok) call.resolve(value);
      else call.reject(workerCallError(call.taskName, this.name, value, this.#fleet.taskNames));
      this.#drain(channel);
    },
    freed: (channel) => this.#drain(channel),
    left: (channel, error) => {
      // Rare (a worker died), so a scan of the calls in flight beats a set per worker kept on every call.
      const running: WorkerCall[] = [];
      for (const call of this.#calls.values()) if (call.state.channel === channel && call.state.phase === 'running') running.push(call);
      for (const call of running) {
        call.state.phase = 'done';
        call.reject(unavailableFor(error, call.taskName));
      }
    },
    broke: (error) => {
      this.#queue.clear();
      this.#calls.rejectAll((call: WorkerCall) => unavailableFor(error, call.taskName));
    },
  };

  // The call's deadline passed or its signal aborted; the call has rejected already.
  readonly #onExpire = (call: WorkerCall, error: ComputeError): void => {
    const state = call.state;
    state.stream?.expire(error);
    if (state.phase === 'queued') {
      // Never started: it just leaves the queue (its slot is skipped later; its input can go now).
      state.phase = 'done';
      state.input = undefined;
      this.#queue.remove();
    } else if (state.phase === 'running') {
      // The worker keeps the slot until the task stops; if it will not, the worker goes.
      state.channel!.cancel(call, error);
    }
  };

  #leastLoaded(): WorkerChannel | undefined {
    const perWorker = this.#settings.concurrentTasksPerWorker;
    let best: WorkerChannel | undefined;
    for (const channel of this.#fleet.ready) {
      if (channel.inFlight < perWorker && channel.aborting.size === 0 && (best === undefined || channel.inFlight < best.inFlight)) best = channel;
    }
    return best;
  }

  #start(call: WorkerCall, channel: WorkerChannel): void {
    const state = call.state;
    state.phase = 'running';
    state.channel = channel;
    state.startedAt = performance.now();
    call.startTimer();
    channel.send(call);
  }

  #drain(channel: WorkerChannel): void {
    const perWorker = this.#settings.concurrentTasksPerWorker;
    while (this.#queue.size > 0 && channel.state === 'ready' && channel.aborting.size === 0 && channel.inFlight < perWorker) {
      const call = this.#queue.shift();
      if (call === undefined) return;
      this.#start(call, channel);
    }
  }
}
