import {
  abortErrorFrom,
  collectTasks,
  ComputeError,
  invalidArgumentError,
  isAbortSignal,
  isTimerDelay,
  maxTimerDelay,
  messageOf,
  taskFailedError,
  type ComputeBackendInterface,
  type RunTaskOptions,
  type TaskCollection,
} from '@hybridcompute/core';
import type { Endpoint } from 'comlink';
import { webWorkerPlatform } from './web-worker-platform.js';
import type { SpawnedWorker, WorkerPlatform } from './worker-platform.js';
import { comlinkApply, comlinkRun, replyValue, type ComlinkReply } from './comlink-wire.js';
import { deserializeThrown } from './error-transfer-handler.js';
import { transferListOf } from './transfer.js';
import {
  asyncMarker,
  batchMarker,
  isReadyMessage,
  outcomeFulfilled,
  outcomePending,
  readyMessageKey,
  wakeMessageKey,
} from './worker-protocol.js';

/**
 * Options handed to the `Worker` constructor as they are. In Node these are
 * `worker_threads` options (`workerData`, `resourceLimits`, `execArgv`, `env`,
 * ...); in browsers `name` and `credentials` (the worker is always
 * `type: 'module'`).
 *
 * @example
 * ```ts
 * const worker = createWorkerBackend({
 *   url: new URL('./worker.js', import.meta.url),
 *   workerOptions: { workerData: { tasksModule: './tasks.js' }, resourceLimits: { maxOldGenerationSizeMb: 256 } },
 * });
 * ```
 */
export interface WorkerConstructorOptions {
  /** Node: the value the worker reads as `workerData` (structured-cloned). */
  workerData?: unknown;
  /** Node: heap limits; a worker that passes them is replaced and its calls fail with `BACKEND_UNAVAILABLE`. */
  resourceLimits?: {
    maxOldGenerationSizeMb?: number;
    maxYoungGenerationSizeMb?: number;
    codeRangeSizeMb?: number;
    stackSizeMb?: number;
  };
  /** Node: flags for the worker, e.g. `['--enable-source-maps']` (on Node 20 a loader flag such as `--import tsx` does not apply to the worker's own entry file: see the README). */
  execArgv?: string[];
  /** Node: the worker's `process.env`. */
  env?: unknown;
  /** Browser (and Node): a name shown in dev tools. */
  name?: string;
  /** Browser: credentials mode for fetching the worker script. */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** Anything else the platform's `Worker` accepts. */
  [option: string]: unknown;
}

/**
 * Options for {@link createWorkerBackend}. Only `url` is required.
 *
 * @example
 * ```ts
 * const options: WorkerBackendOptions = {
 *   url: new URL('./tasks.worker.js', import.meta.url),
 *   size: 4,
 *   tasks, // the same definitions the worker exposes: canRun answers before ready()
 *   maxQueue: 1_000,
 *   taskTimeout: 10_000,
 * };
 * const worker = createWorkerBackend(options);
 * ```
 */
export interface WorkerBackendOptions {
  /**
   * The worker file: a URL (`new URL('./tasks.worker.js', import.meta.url)`),
   * or in Node also an absolute path. The file calls `exposeTasks(...)`.
   */
  url: string | URL;
  /** How many workers to run. Default: the machine's parallelism (`availableParallelism()` / `navigator.hardwareConcurrency`). */
  size?: number | undefined;
  /**
   * The tasks the workers expose, known before the handshake so that
   * `canRun` answers at once: task names, or the task definitions themselves
   * (only their names are used). After `ready()`, the workers' own list counts.
   */
  tasks?: readonly string[] | TaskCollection | undefined;
  /** Calls that may wait for a free worker; one more rejects with `QUEUE_FULL`. Default: unbounded. */
  maxQueue?: number | undefined;
  /** Milliseconds a call may run on a worker (queue time does not count); then `TASK_TIMEOUT`. Default: none. */
  taskTimeout?: number | undefined;
  /**
   * Calls sent to one worker before it answers: more hides the round trip,
   * fewer spreads long tasks more evenly. Default 8, a judgement call:
   * throughput keeps rising past it (see BENCHMARKS.md), while the cost of deep
   * per-worker queues for long tasks of uneven length is argued, not measured.
   */
  concurrentTasksPerWorker?: number | undefined;
  /**
   * Milliseconds an aborted or timed-out task has to stop after its
   * `ctx.signal` fires before its worker is terminated and replaced. Default 1000.
   */
  abortGrace?: number | undefined;
  /** Milliseconds a new worker has to call `exposeTasks`. Default 30000. */
  startupTimeout?: number | undefined;
  /**
   * Node: an idle worker (one running no task) sleeps on `Atomics.wait` and is
   * woken by `Atomics.notify` when a call comes, which answers a lone call a few
   * microseconds sooner (piscina does the same). While it sleeps its event loop
   * stands still, so background work (timers or I/O a task left behind, a
   * top-level `await` after `exposeTasks`) pauses; the worker turns its event
   * loop at least every 32 calls. Set `false` for workers that keep such work
   * going between calls. Default `true`. Browsers: ignored.
   */
  atomics?: boolean | undefined;
  /** Passed to the `Worker` constructor; see {@link WorkerConstructorOptions}. */
  workerOptions?: WorkerConstructorOptions | undefined;
  /** The name errors report as their `backend`. Default `'worker'`. */
  name?: string | undefined;
}

/**
 * `runTask`'s third argument: the router's `{ signal }`, plus a per-call `timeout`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const options: WorkerRunTaskOptions = { signal: controller.signal, timeout: 2_000 };
 * await worker.runTask('resize', image, options); // TASK_TIMEOUT after 2 s of run time
 * ```
 */
export interface WorkerRunTaskOptions extends RunTaskOptions {
  /** Milliseconds this call may run on a worker (queue time does not count). Overrides `taskTimeout`. */
  timeout?: number | undefined;
}

/**
 * Milliseconds, over the most recent calls (up to 1024). All 0 before the first call.
 *
 * @example
 * ```ts
 * const { p50, p99 }: DurationPercentiles = worker.stats().runTime;
 * console.log(`tasks take ${p50} ms, ${p99} ms at the 99th percentile`);
 * ```
 */
export interface DurationPercentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/**
 * What {@link WorkerBackend.stats} reports.
 *
 * @example
 * ```ts
 * const stats: WorkerBackendStats = worker.stats();
 * if (stats.queued > 100) console.warn(`${stats.queued} calls wait for ${stats.workers} workers`);
 * ```
 */
export interface WorkerBackendStats {
  /** Workers that have finished their handshake and take calls. */
  workers: number;
  /** Calls waiting for a free worker. */
  queued: number;
  /** Calls sent to a worker and not yet answered (aborted calls count until their task stops). */
  running: number;
  /** Calls that fulfilled. */
  completed: number;
  /** Calls that rejected after they were accepted (task errors, timeouts, aborts, crashed workers). */
  failed: number;
  /** Time on a worker, from dispatch to answer. */
  runTime: DurationPercentiles;
  /** Time in the queue before dispatch. */
  waitTime: DurationPercentiles;
}

const defaultConcurrentTasksPerWorker = 8;
const defaultAbortGrace = 1000;
const defaultStartupTimeout = 30_000;
const sampleCount = 1024;
const maxIdleDeaths = 3;

type CallState = 'queued' | 'running' | 'aborting' | 'settled';

class PendingCall {
  state: CallState = 'queued';
  worker: PoolWorker | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  onAbort: (() => void) | undefined = undefined;
  startedAt = 0;
  constructor(
    readonly id: number,
    readonly taskName: string,
    public input: unknown,
    readonly signal: AbortSignal | undefined,
    readonly timeout: number | undefined,
    readonly enqueuedAt: number,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

class PoolWorker {
  state: 'starting' | 'ready' | 'gone' = 'starting';
  inFlight = 0;
  // Aborted calls whose task has not stopped yet: the worker may be stuck, so it takes no new calls.
  aborting = 0;
  readonly calls = new Set<PendingCall>();
  spawned: SpawnedWorker | undefined = undefined;
  startupTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  endpoint: Endpoint | undefined = undefined;
  // Node workers that sleep on Atomics.wait when idle: bumped and notified after every message.
  wake: Int32Array | undefined = undefined;
  // comlink requests awaiting their answer, by request id: a plain call's id is
  // its call id and its entry the call itself (no closure per call).
  readonly replies = new Map<number, PendingCall | ((ok: boolean, value: unknown) => void)>();
  // Calls started in this turn, sent together at its end in one comlink request.
  outbox: PendingCall[] = [];
  flushScheduled = false;
  flush: () => void = notStarted;
  // Calls sent in a batch and not yet answered, by id: their async outcomes come through takeResults.
  readonly batched = new Map<number, PendingCall>();
  polling = false;
  // Whether the worker has answered any call (see WorkerBackend.#idleDeaths).
  answered = false;
}

function notStarted(): never {
  throw new Error('the worker has not started');
}

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
 * await worker.ready();
 * console.log(worker.taskNames, worker.size); // ['double', ...] 8
 * await worker.close();
 * ```
 */
export class WorkerBackend implements ComputeBackendInterface {
  /** The name errors report as their `backend`. */
  readonly name: string;
  /** How many workers the pool keeps running. */
  readonly size: number;

  readonly #url: string | URL;
  readonly #platform: WorkerPlatform;
  readonly #workerOptions: WorkerConstructorOptions | undefined;
  readonly #maxQueue: number;
  readonly #taskTimeout: number | undefined;
  readonly #perWorker: number;
  readonly #abortGrace: number;
  readonly #startupTimeout: number;
  readonly #atomics: boolean;
  readonly #declaredTasks: Set<string> | undefined;
  #taskNames: Set<string> | undefined;

  // Workers that take calls, and every worker not yet gone (for close()).
  readonly #ready: PoolWorker[] = [];
  readonly #alive = new Set<PoolWorker>();
  // A queue with a moving head: shift() on a long array would copy it.
  #queue: (PendingCall | undefined)[] = [];
  #queueHead = 0;
  #queued = 0;
  #running = 0;
  #completed = 0;
  #failed = 0;
  #nextCallId = 1;
  readonly #runTimes = new Float64Array(sampleCount);
  readonly #waitTimes = new Float64Array(sampleCount);
  #samples = 0;

  #initialPending: number;
  readonly #readyPromise: Promise<void>;
  #resolveReady: () => void = noop;
  #rejectReady: (error: unknown) => void = noop;
  #broken: ComputeError | undefined;
  // Workers in a row that exited on their own before answering anything.
  #idleDeaths = 0;
  #closing: Promise<void> | undefined;

  /**
   * @param options - see {@link WorkerBackendOptions}.
   * @param platform - how workers are made; the package's entry points pass the right one.
   */
  constructor(options: WorkerBackendOptions, platform: WorkerPlatform = webWorkerPlatform) {
    if (typeof options !== 'object' || options === null) throw invalidArgumentError('createWorkerBackend: options must be an object with a url');
    const { url } = options;
    if (!(typeof url === 'string' && url.length > 0) && !(typeof URL !== 'undefined' && url instanceof URL)) {
      throw invalidArgumentError('createWorkerBackend: url must be a non-empty string or a URL of the worker file');
    }
    this.#url = url;
    this.#platform = platform;
    this.name = optionalName(options.name);
    this.size = positiveInteger('size', options.size) ?? platform.defaultSize();
    this.#maxQueue = nonNegativeInteger('maxQueue', options.maxQueue) ?? Number.POSITIVE_INFINITY;
    this.#taskTimeout = milliseconds('taskTimeout', options.taskTimeout);
    this.#perWorker = positiveInteger('concurrentTasksPerWorker', options.concurrentTasksPerWorker) ?? defaultConcurrentTasksPerWorker;
    this.#abortGrace = milliseconds('abortGrace', options.abortGrace, true) ?? defaultAbortGrace;
    this.#startupTimeout = milliseconds('startupTimeout', options.startupTimeout) ?? defaultStartupTimeout;
    if (options.atomics !== undefined && typeof options.atomics !== 'boolean') throw invalidArgumentError('createWorkerBackend: atomics must be a boolean');
    this.#atomics = options.atomics ?? true;
    if (options.workerOptions !== undefined && (typeof options.workerOptions !== 'object' || options.workerOptions === null)) {
      throw invalidArgumentError('createWorkerBackend: workerOptions must be an object');
    }
    this.#workerOptions = options.workerOptions;
    this.#declaredTasks = declaredTaskNames(options.tasks);

    this.#readyPromise = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Nobody has to call ready(); a failed start must not be an unhandled rejection.
    this.#readyPromise.catch(noop);
    this.#initialPending = this.size;
    for (let index = 0; index < this.size && this.#broken === undefined; index++) this.#spawn();
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
    return this.#readyPromise;
  }

  /** The tasks the workers expose (after `ready()`), else the declared `tasks`, else none. */
  get taskNames(): string[] {
    return [...(this.#taskNames ?? this.#declaredTasks ?? [])];
  }

  /** Whether the workers expose a task of that name (before `ready()`: whether it was declared in `tasks`). */
  canRun(taskName: string): boolean {
    if (this.#closing !== undefined || this.#broken !== undefined) return false;
    return (this.#taskNames ?? this.#declaredTasks)?.has(taskName) ?? false;
  }

  /**
   * Runs the task on a worker. Rejects (never throws) with `TASK_NOT_FOUND`,
   * `TASK_FAILED` (the task's error as `cause`, with its name, message, `code`
   * and other properties), `TASK_TIMEOUT` / `TASK_ABORTED` (run time only
   * counts toward a timeout), `QUEUE_FULL`, `INVALID_REQUEST` (an input that
   * cannot be cloned) or `BACKEND_UNAVAILABLE` (the worker died, the files
   * failed to load, the backend is closed).
   *
   * @param options - `{ signal }` (the router passes one) and `{ timeout }` in
   *   milliseconds of run time, overriding `taskTimeout`.
   *
   * @example
   * ```ts
   * const doubled = await worker.runTask<number, number>('double', 21); // 42
   * await worker.runTask('render', scene, { signal: AbortSignal.timeout(5_000) });
   * ```
   */
  runTask<Input, Output>(taskName: string, input: Input, options?: WorkerRunTaskOptions): Promise<Output> {
    if (this.#closing !== undefined) return Promise.reject(this.#unavailable(`The ${this.name} backend is closed`, taskName));
    if (this.#broken !== undefined) return Promise.reject(this.#withTask(this.#broken, taskName));
    if (this.#taskNames !== undefined && !this.#taskNames.has(taskName)) return Promise.reject(this.#notFound(taskName));
    let signal: AbortSignal | undefined;
    let timeout = this.#taskTimeout;
    if (options !== undefined) {
      if (typeof options !== 'object' || options === null) {
        return Promise.reject(invalidArgumentError(`runTask('${taskName}'): options must be an object`));
      }
      signal = options.signal ?? undefined;
      if (signal !== undefined) {
        if (!isAbortSignal(signal)) {
          return Promise.reject(invalidArgumentError(`runTask('${taskName}'): signal must be an AbortSignal`));
        }
        if (signal.aborted) return Promise.reject(abortErrorFrom(signal.reason, taskName, this.name));
      }
      if (options.timeout !== undefined) {
        if (!isTimerDelay(options.timeout)) {
          return Promise.reject(invalidArgumentError(`runTask('${taskName}'): timeout must be a number of milliseconds from 1 to ${maxTimerDelay}`));
        }
        timeout = options.timeout;
      }
    }
    return new Promise<Output>((resolve, reject) => {
      const worker = this.#leastLoaded();
      if (worker === undefined && this.#queued >= this.#maxQueue) {
        reject(new ComputeError({ code: 'QUEUE_FULL', message: `The ${this.name} backend's queue is full (${this.#maxQueue} calls waiting)`, taskName, backend: this.name }));
        return;
      }
      const call = new PendingCall(this.#nextCallId++, taskName, input, signal, timeout, worker === undefined ? now() : 0, resolve as (value: unknown) => void, reject);
      if (signal !== undefined) {
        call.onAbort = () => this.#abort(call, abortErrorFrom(signal.reason, taskName, this.name));
        signal.addEventListener('abort', call.onAbort, { once: true });
      }
      if (worker !== undefined) {
        this.#start(call, worker);
      } else {
        this.#queue.push(call);
        this.#queued++;
      }
    });
  }

  /**
   * Counters and recent timings; cheap enough to poll.
   *
   * @example
   * ```ts
   * setInterval(() => console.log(worker.stats()), 10_000);
   * // { workers: 4, queued: 0, running: 3, completed: 1200, failed: 2, runTime: { p50: 4.1, ... }, waitTime: { ... } }
   * ```
   */
  stats(): WorkerBackendStats {
    return {
      workers: this.#ready.length,
      queued: this.#queued,
      running: this.#running,
      completed: this.#completed,
      failed: this.#failed,
      runTime: percentiles(this.#runTimes, this.#samples),
      waitTime: percentiles(this.#waitTimes, this.#samples),
    };
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
    if (this.#closing !== undefined) return this.#closing;
    const error = this.#unavailable(`The ${this.name} backend was closed`);
    this.#rejectReady(error);
    this.#rejectQueue(error);
    const terminations: Promise<void>[] = [];
    for (const worker of [...this.#alive]) terminations.push(this.#retire(worker, error));
    this.#closing = Promise.all(terminations).then(noop);
    return this.#closing;
  }

  #spawn(): void {
    const worker = new PoolWorker();
    this.#alive.add(worker);
    let spawned: SpawnedWorker;
    try {
      spawned = this.#platform.spawn(this.#url, this.#workerOptions, { onExit: (error) => this.#onExit(worker, error) });
    } catch (error) {
      this.#alive.delete(worker);
      worker.state = 'gone';
      this.#startFailed(error);
      return;
    }
    worker.spawned = spawned;
    const endpoint = spawned.endpoint;
    worker.endpoint = endpoint;
    // One listener per worker: the handshake, then comlink's answers.
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as ComlinkReply | null;
      if (typeof data !== 'object' || data === null) return;
      const reply = typeof data.id === 'number' && (data.type === 'RAW' || data.type === 'HANDLER') ? worker.replies.get(data.id) : undefined;
      if (reply === undefined) {
        if (isReadyMessage(data)) {
          const wake = (data as unknown as Record<string, unknown>)[wakeMessageKey];
          if (this.#atomics && wake instanceof Int32Array) {
            worker.wake = wake;
            this.#post(worker, { [wakeMessageKey]: true });
          }
          this.#onHandshake(worker, data[readyMessageKey]);
        }
        return;
      }
      worker.replies.delete(data.id as number);
      let ok = true;
      let value = data.value;
      if (data.type === 'HANDLER') ({ ok, value } = replyValue(data));
      if (typeof reply === 'function') reply(ok, value);
      else this.#answered(reply, worker, ok, value);
    };
    endpoint.addEventListener('message', onMessage as EventListener);
    endpoint.start?.();
    worker.flush = () => this.#flush(worker);
    worker.startupTimer = setTimeout(() => {
      const error = new Error(`the worker ${String(this.#url)} did not call exposeTasks within ${this.#startupTimeout} ms`);
      void this.#retire(worker, error).then(() => this.#startFailed(error));
    }, this.#startupTimeout);
  }

  #onHandshake(worker: PoolWorker, names: readonly string[]): void {
    if (worker.state !== 'starting') return;
    clearTimeout(worker.startupTimer);
    worker.state = 'ready';
    this.#taskNames ??= new Set(names);
    this.#ready.push(worker);
    if (this.#initialPending > 0 && --this.#initialPending === 0) this.#resolveReady();
    this.#drain(worker);
  }

  // A worker that never got as far as exposeTasks: a file that fails to load
  // would fail again, so the pool stops instead of respawning forever.
  #startFailed(cause: unknown): void {
    if (this.#closing !== undefined || this.#broken !== undefined) return;
    const initial = this.#initialPending > 0;
    const anyStarted = this.#ready.length > 0 || [...this.#alive].some((worker) => worker.state === 'starting');
    if (!initial && anyStarted) return;
    this.#break(`could not start its workers (${String(this.#url)}): ${messageOf(cause)}`, cause);
  }

  #break(reason: string, cause: unknown): void {
    const error = this.#unavailable(`The ${this.name} backend ${reason}`, undefined, cause);
    this.#broken = error;
    this.#rejectReady(error);
    this.#rejectQueue(error);
    for (const worker of [...this.#alive]) void this.#retire(worker, error);
  }

  #onExit(worker: PoolWorker, error: Error): void {
    if (worker.state === 'gone') return;
    const wasReady = worker.state === 'ready';
    // A worker that dies on its own, running nothing and having answered nothing,
    // was broken from the start (say, a worker file that throws after exposeTasks).
    const diedIdle = wasReady && !worker.answered && worker.inFlight === 0;
    this.#forget(worker, this.#unavailable(`A worker of the ${this.name} backend stopped: ${error.message}`, undefined, error));
    if (this.#closing !== undefined) return;
    if (!wasReady) {
      this.#startFailed(error);
    } else if (diedIdle && ++this.#idleDeaths >= maxIdleDeaths) {
      // Replacing it again would only loop: stop, as for a file that fails to load.
      this.#break(`its workers keep exiting right after they start (${maxIdleDeaths} in a row): ${error.message}`, error);
    } else {
      this.#spawn();
    }
  }

  // Takes a worker out of the pool and rejects its calls; terminating is the caller's business.
  #forget(worker: PoolWorker, error: ComputeError): void {
    worker.state = 'gone';
    clearTimeout(worker.startupTimer);
    this.#alive.delete(worker);
    const index = this.#ready.indexOf(worker);
    if (index !== -1) this.#ready.splice(index, 1);
    for (const call of worker.calls) {
      clearTimeout(call.timer);
      this.#running--;
      if (call.state === 'running') this.#settle(call, false, this.#withTask(error, call.taskName));
      call.state = 'settled';
    }
    worker.calls.clear();
    worker.outbox = [];
    worker.batched.clear();
    worker.replies.clear();
    worker.inFlight = 0;
    worker.aborting = 0;
  }

  #retire(worker: PoolWorker, error: ComputeError | Error): Promise<void> {
    if (worker.state !== 'gone') {
      this.#forget(worker, ComputeError.isInstance(error) ? error : this.#unavailable(error.message, undefined, error));
    }
    return worker.spawned === undefined ? Promise.resolve() : worker.spawned.terminate().catch(noop);
  }

  #leastLoaded(): PoolWorker | undefined {
    let best: PoolWorker | undefined;
    for (const worker of this.#ready) {
      if (worker.inFlight < this.#perWorker && worker.aborting === 0 && (best === undefined || worker.inFlight < best.inFlight)) best = worker;
    }
    return best;
  }

  #start(call: PendingCall, worker: PoolWorker): void {
    call.state = 'running';
    call.worker = worker;
    worker.inFlight++;
    worker.calls.add(call);
    this.#running++;
    call.startedAt = now();
    if (call.timeout !== undefined) call.timer = setTimeout(this.#onTimeout, call.timeout, call);
    worker.outbox.push(call);
    if (!worker.flushScheduled) {
      worker.flushScheduled = true;
      queueMicrotask(worker.flush);
    }
  }

  // Sends the calls started in this turn: one alone as a plain comlink call;
  // several (when tasks are short) as one batch, so that comlink's cost per
  // request (a random id, an envelope) is paid once for all of them.
  #flush(worker: PoolWorker): void {
    worker.flushScheduled = false;
    const started = worker.outbox;
    worker.outbox = [];
    if (worker.state === 'gone' || started.length === 0) return;
    let calls = started;
    if (started.some((call) => call.state !== 'running')) {
      calls = started.filter((call) => call.state === 'running');
      // Aborted before they were sent: the worker never hears of them.
      for (const call of started) if (call.state !== 'running') this.#answered(call, worker, false, undefined);
    }
    if (calls.length <= 1) {
      if (calls.length === 1) this.#send(calls[0]!, worker);
      return;
    }
    const flat: unknown[] = new Array(calls.length * 3);
    let transfers: Transferable[] | undefined;
    for (let index = 0; index < calls.length; index++) {
      const call = calls[index]!;
      flat[index * 3] = call.id;
      flat[index * 3 + 1] = call.taskName;
      flat[index * 3 + 2] = call.input;
      const list = transferListOf(call.input);
      if (list !== undefined) (transfers ??= []).push(...list);
      call.input = undefined;
      worker.batched.set(call.id, call);
    }
    const id = this.#nextCallId++;
    worker.replies.set(id, (ok, value) => {
      if (ok) this.#batchAnswered(worker, calls, value as unknown[]);
      else this.#batchFailed(worker, calls, flat, value);
    });
    try {
      this.#post(worker, comlinkApply(id, 'runBatch', [flat]), transfers);
    } catch (error) {
      worker.replies.delete(id);
      this.#batchFailed(worker, calls, flat, error);
    }
  }

  #send(call: PendingCall, worker: PoolWorker): void {
    const input = call.input;
    call.input = undefined;
    worker.replies.set(call.id, call);
    try {
      this.#post(worker, comlinkRun(call.id, call.taskName, input), transferListOf(input));
    } catch (error) {
      // Nothing was sent (an input that cannot be cloned).
      worker.replies.delete(call.id);
      this.#answered(call, worker, false, error);
    }
  }

  #post(worker: PoolWorker, message: object, transfers?: Transferable[]): void {
    worker.endpoint!.postMessage(message, transfers);
    if (worker.wake !== undefined) {
      Atomics.add(worker.wake, 0, 1);
      Atomics.notify(worker.wake, 0, 1);
    }
  }

  #batchAnswered(worker: PoolWorker, calls: PendingCall[], outcomes: unknown[]): void {
    if (worker.state === 'gone') return;
    if (!Array.isArray(outcomes) || outcomes[0] !== batchMarker) {
      this.#batchFailed(worker, calls, [], new ComputeError({ code: 'PROTOCOL_ERROR', message: 'A worker answered a batch with something else', backend: this.name }));
      return;
    }
    for (let index = 0; index < calls.length; index++) {
      const kind = outcomes[1 + index * 2];
      if (kind === outcomePending) continue;
      const call = calls[index]!;
      worker.batched.delete(call.id);
      const value = outcomes[2 + index * 2];
      this.#answered(call, worker, kind === outcomeFulfilled, kind === outcomeFulfilled ? value : deserializeThrown(value));
    }
    if (worker.batched.size > 0) this.#poll(worker);
  }

  #batchFailed(worker: PoolWorker, calls: PendingCall[], flat: unknown[], error: unknown): void {
    if (worker.state === 'gone') return;
    // An input that cannot be cloned fails the whole message before anything is sent:
    // send the calls one by one, so that only that call fails.
    const resend = (error as { name?: unknown } | null)?.name === 'DataCloneError' && flat.length === calls.length * 3;
    for (let index = 0; index < calls.length; index++) {
      const call = calls[index]!;
      worker.batched.delete(call.id);
      if (resend && call.state === 'running') {
        call.input = flat[index * 3 + 2];
        this.#send(call, worker);
      } else {
        this.#answered(call, worker, false, error);
      }
    }
  }

  // Keeps one takeResults request open while batched calls may still finish asynchronously.
  #poll(worker: PoolWorker): void {
    if (worker.polling || worker.state !== 'ready') return;
    worker.polling = true;
    const id = this.#nextCallId++;
    worker.replies.set(id, (_ok, outcomes) => {
      worker.polling = false;
      if (worker.state === 'gone' || !Array.isArray(outcomes) || outcomes[0] !== asyncMarker) return;
      for (let index = 1; index + 2 < outcomes.length; index += 3) {
        const call = worker.batched.get(outcomes[index] as number);
        if (call === undefined) continue;
        worker.batched.delete(call.id);
        const fulfilled = outcomes[index + 1] === outcomeFulfilled;
        this.#answered(call, worker, fulfilled, fulfilled ? outcomes[index + 2] : deserializeThrown(outcomes[index + 2]));
      }
      if (worker.batched.size > 0) this.#poll(worker);
    });
    this.#post(worker, comlinkApply(id, 'takeResults', []));
  }

  #answered(call: PendingCall, worker: PoolWorker, ok: boolean, outcome: unknown): void {
    // A worker that died or was retired has already settled its calls.
    if (!worker.calls.delete(call)) return;
    if (!worker.answered) {
      worker.answered = true;
      this.#idleDeaths = 0;
    }
    worker.inFlight--;
    this.#running--;
    if (call.timer !== undefined) clearTimeout(call.timer);
    if (call.state === 'running') {
      const finishedAt = now();
      const slot = this.#samples++ % sampleCount;
      this.#runTimes[slot] = finishedAt - call.startedAt;
      this.#waitTimes[slot] = call.enqueuedAt === 0 ? 0 : call.startedAt - call.enqueuedAt;
      this.#settle(call, ok, ok ? outcome : this.#callError(call, outcome));
    } else if (call.state === 'aborting') {
      worker.aborting--;
    }
    call.state = 'settled';
    this.#drain(worker);
  }

  #settle(call: PendingCall, ok: boolean, outcome: unknown): void {
    call.state = 'settled';
    if (call.onAbort !== undefined) call.signal?.removeEventListener('abort', call.onAbort);
    if (ok) {
      this.#completed++;
      call.resolve(outcome);
    } else {
      this.#failed++;
      call.reject(outcome);
    }
  }

  #drain(worker: PoolWorker): void {
    while (this.#queued > 0 && worker.state === 'ready' && worker.aborting === 0 && worker.inFlight < this.#perWorker) {
      const call = this.#queue[this.#queueHead];
      this.#queue[this.#queueHead++] = undefined;
      if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#queueHead);
        this.#queueHead = 0;
      }
      // Calls cancelled while queued stay in the array and are skipped here.
      if (call === undefined || call.state !== 'queued') continue;
      this.#queued--;
      this.#start(call, worker);
    }
    if (this.#queued === 0 && this.#queueHead > 0) {
      this.#queue = [];
      this.#queueHead = 0;
    }
  }

  #rejectQueue(error: ComputeError): void {
    for (let index = this.#queueHead; index < this.#queue.length; index++) {
      const call = this.#queue[index];
      if (call !== undefined && call.state === 'queued') this.#settle(call, false, this.#withTask(error, call.taskName));
    }
    this.#queue = [];
    this.#queueHead = 0;
    this.#queued = 0;
  }

  readonly #onTimeout = (call: PendingCall): void => {
    call.timer = undefined;
    this.#abort(
      call,
      new ComputeError({
        code: 'TASK_TIMEOUT',
        message: `Task '${call.taskName}' timed out after ${call.timeout} ms of run time`,
        taskName: call.taskName,
        backend: this.name,
      }),
    );
  };

  #abort(call: PendingCall, error: ComputeError): void {
    if (call.state === 'queued') {
      // Never started: it just leaves the queue (its slot is skipped later; its input can go now).
      call.input = undefined;
      this.#queued--;
      this.#settle(call, false, error);
      return;
    }
    if (call.state !== 'running') return;
    const worker = call.worker!;
    if (call.timer !== undefined) clearTimeout(call.timer);
    this.#settle(call, false, error);
    call.state = 'aborting';
    worker.aborting++;
    // The worker keeps the slot until the task stops; if it will not, the worker goes.
    // Fire and forget: the answer has no entry in worker.replies and is dropped.
    this.#post(worker, comlinkApply(this.#nextCallId++, 'cancel', [call.id, error.toJSON()]));
    call.timer = setTimeout(this.#onGraceOver, this.#abortGrace, call);
  }

  readonly #onGraceOver = (call: PendingCall): void => {
    const worker = call.worker;
    if (worker === undefined || !worker.calls.has(call) || worker.state === 'gone') return;
    const error = this.#unavailable(`A worker of the ${this.name} backend was terminated: task '${call.taskName}' did not stop within ${this.#abortGrace} ms of being aborted`);
    void this.#retire(worker, error);
    if (this.#closing === undefined && this.#broken === undefined) this.#spawn();
  };

  #callError(call: PendingCall, error: unknown): unknown {
    if (ComputeError.isInstance(error)) {
      if (error.code !== 'TASK_FAILED' && error.code !== 'TASK_NOT_FOUND') return error;
      // Made in the worker, which does not know this backend's name.
      const copy = new ComputeError({ code: error.code, message: error.message, taskName: call.taskName, backend: this.name, cause: error.cause });
      if (error.stack !== undefined) copy.stack = error.stack;
      return copy;
    }
    const name = (error as { name?: unknown } | null)?.name;
    if (name === 'DataCloneError') {
      return new ComputeError({
        code: 'INVALID_REQUEST',
        message: `Task '${call.taskName}': its input cannot be sent to a worker (${messageOf(error)})`,
        taskName: call.taskName,
        backend: this.name,
        cause: error,
      });
    }
    if (!(error instanceof TypeError && error.message === 'Unserializable return value')) return taskFailedError(call.taskName, this.name, error);
    return new ComputeError({
      code: 'TASK_FAILED',
      message: `Task '${call.taskName}' failed: its result cannot be sent back from the worker (it is not structured-cloneable)`,
      taskName: call.taskName,
      backend: this.name,
      cause: error,
    });
  }

  #notFound(taskName: string): ComputeError {
    return new ComputeError({
      code: 'TASK_NOT_FOUND',
      message: `Task '${taskName}' is not exposed by the ${this.name} backend's workers (tasks: ${this.taskNames.join(', ') || 'none'})`,
      taskName,
      backend: this.name,
    });
  }

  #unavailable(message: string, taskName?: string, cause?: unknown): ComputeError {
    return new ComputeError({ code: 'BACKEND_UNAVAILABLE', message, taskName, backend: this.name, ...(cause === undefined ? {} : { cause }) });
  }

  #withTask(error: ComputeError, taskName: string): ComputeError {
    if (error.taskName === taskName) return error;
    return new ComputeError({ code: error.code, message: error.message, taskName, backend: error.backend, ...(error.cause === undefined ? {} : { cause: error.cause }) });
  }
}

/**
 * Creates a pool of workers that run the tasks a worker file exposes. The
 * same call works in browsers (module Web Workers) and in Node
 * (`worker_threads`, picked through the package's `node` export condition).
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing `url` or an option of the wrong kind.
 *
 * @example
 * ```ts
 * import { createWorkerBackend } from '@hybridcompute/backend-worker';
 *
 * const worker = createWorkerBackend({ url: new URL('./tasks.worker.js', import.meta.url), size: 4, taskTimeout: 5_000 });
 * await worker.ready();
 * await worker.runTask('double', 21); // 42
 * await worker.close();
 * ```
 */
export function createWorkerBackend(options: WorkerBackendOptions): WorkerBackend {
  return new WorkerBackend(options, webWorkerPlatform);
}

function noop(): void {}

function now(): number {
  return performance.now();
}

function percentiles(samples: Float64Array, count: number): DurationPercentiles {
  const length = Math.min(count, samples.length);
  if (length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = samples.slice(0, length).sort();
  const at = (fraction: number): number => sorted[Math.min(length - 1, Math.floor(fraction * length))]!;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[length - 1]! };
}

function declaredTaskNames(tasks: WorkerBackendOptions['tasks']): Set<string> | undefined {
  if (tasks === undefined) return undefined;
  if (Array.isArray(tasks) && tasks.every((task) => typeof task === 'string')) return new Set(tasks as readonly string[]);
  return new Set(collectTasks(tasks as TaskCollection).keys());
}

function optionalName(name: unknown): string {
  if (name === undefined) return 'worker';
  if (typeof name !== 'string' || name.length === 0) throw invalidArgumentError('createWorkerBackend: name must be a non-empty string');
  return name;
}

function positiveInteger(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(option: string, value: unknown): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function milliseconds(option: string, value: unknown, zeroAllowed = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(zeroAllowed ? value >= 0 : value > 0) || value > maxTimerDelay) {
    throw invalidArgumentError(`createWorkerBackend: ${option} must be a number of milliseconds up to ${maxTimerDelay}, got ${String(value)}`);
  }
  return value;
}
