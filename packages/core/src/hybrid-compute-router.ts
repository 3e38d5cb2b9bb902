import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { invalidArgumentError } from './invalid-argument-error.js';
import { backendClosedError } from './lifecycle/backend-unavailable-error.js';
import type { CallDeadline } from './lifecycle/call-deadline.js';
import { CloseOnce } from './lifecycle/close-once.js';
import { noCallOptions, readRunOptions, readStreamOptions, type CallOptions } from './lifecycle/read-run-options.js';
import { runUnderDeadline } from './lifecycle/run-under-deadline.js';
import { lazyStream } from './lazy-stream.js';
import { streamUnderDeadline } from './stream-under-deadline.js';
import { askCanRun } from './ask-can-run.js';
import { invokeBackend } from './invoke-backend.js';
import { observeAttempt } from './observe-attempt.js';
import type { AttemptCall } from './placement/attempt-call.js';
import { PlacedCalls } from './placement/placed-calls.js';
import { openPlacedStream } from './placement/follow-stream.js';
import { PlacedBackend } from './placement/placement-records.js';
import { readPlacementOptions } from './placement/read-placement-options.js';
import { taskNamesOf } from './task-names-of.js';
import { traceAttempt, traceRouterCall } from './tracing/trace-router-call.js';
import { traceRouterStream, traceStreamAttempt } from './tracing/trace-router-stream.js';
import type { TracerLike } from './tracing/tracer-like.js';
import type { HybridComputeRunTask, HybridComputeStreamTask, HybridComputeBackends, HybridComputeConstructor, HybridComputeOptions, RouterBackendName, RouterTasks, RunOptions, StrategyOrOptions } from './hybrid-compute-types.js';
import type { PlacementReason, RouterStats } from './placement/placement-types.js';
import type { CheckedBackends } from './inferred-tasks.js';
import type { BackendLoad, ComputeBackendLike, RunTaskOptions, StreamTaskOptions } from './types.js';

const defaultOrderHead = ['worker', 'local', 'remote'] as const;

/**
 * The router's implementation; `HybridCompute` (in create-hybrid-compute.ts)
 * is this class, typed by its tasks and backend names.
 *
 * @internal
 */
export class HybridComputeRouter {
  readonly backendNames: readonly string[];
  readonly order: readonly string[];
  readonly #backends = new Map<string, ComputeBackendLike>();
  readonly #backendIndex = new Map<string, number>();
  // Parallel arrays: the hot path walks these without a Map lookup per backend.
  readonly #autoBackends: ComputeBackendLike[];
  readonly #hooks: Pick<HybridComputeOptions, 'onTaskStart' | 'onTaskSettled'>;
  readonly #observed: boolean;
  // The one backend of a router with no hooks and no tracer: its plain calls go straight there.
  readonly #soleUnobserved: ComputeBackendLike | undefined;
  readonly #tracer: TracerLike | undefined;
  readonly #closer: CloseOnce;
  readonly #placed: PlacedCalls;
  // With one backend in the order there is nothing to place: 'auto' goes straight there.
  readonly #placesAuto: boolean;
  readonly #soleReason: PlacementReason;
  #nextCallId = 1;
  readonly #progressOf = new Map<number, (value: unknown) => void>();

  constructor(backends: HybridComputeBackends, options: HybridComputeOptions = {}) {
    if (typeof backends !== 'object' || backends === null) {
      throw invalidArgumentError('createHybridCompute: backends must be an object such as { local, worker, remote }');
    }
    for (const [name, backend] of Object.entries(backends)) {
      if (backend === undefined) continue;
      if (
        typeof backend !== 'object' ||
        backend === null ||
        typeof backend.canRun !== 'function' ||
        typeof backend.runTask !== 'function'
      ) {
        throw invalidArgumentError(`createHybridCompute: backend '${name}' must have canRun() and runTask() methods`);
      }
      if (name === 'auto') {
        throw invalidArgumentError("createHybridCompute: no backend may be named 'auto', the strategy that picks one");
      }
      this.#backends.set(name, backend);
    }
    this.backendNames = Object.freeze([...this.#backends.keys()]);
    this.order = Object.freeze(this.#resolveOrder(options.order));
    this.#autoBackends = this.order.map((name) => this.#backends.get(name) as ComputeBackendLike);
    this.#hooks = { onTaskStart: options.onTaskStart, onTaskSettled: options.onTaskSettled };
    this.#observed = options.onTaskStart !== undefined || options.onTaskSettled !== undefined;
    this.#tracer = options.tracer ?? undefined;
    const placement = readPlacementOptions(options);
    this.backendNames.forEach((name, index) => this.#backendIndex.set(name, index));
    this.#placed = new PlacedCalls({
      backends: this.backendNames.map((name) => new PlacedBackend(name, this.#backends.get(name) as ComputeBackendLike, name === 'local')),
      order: this.order.map((name) => this.#backendIndex.get(name) as number),
      ordered: placement.ordered,
      // A traced call takes the router's attempt path, where its attempt span starts.
      observed: this.#observed || this.#tracer !== undefined,
      carriesMore: (callId) => this.#progressOf.size > 0 && this.#progressOf.has(callId),
      localBudgetMs: placement.localBudgetMs,
      now: placement.now,
      utilization: placement.utilization,
      attempt: this.#attempt,
    });
    this.#placesAuto = this.order.length > 1;
    this.#soleUnobserved = this.order.length === 1 && !this.#observed && this.#tracer === undefined ? this.#autoBackends[0] : undefined;
    this.#soleReason = placement.ordered ? 'ordered' : 'only';
    this.#closer = new CloseOnce(() => this.#closeBackends());
    // Users hand these around detached (`const { runTask } = compute`), and they read private state.
    this.runTask = this.runTask.bind(this);
    this.streamTask = this.streamTask.bind(this);
    this.canRun = this.canRun.bind(this);
  }

  stats(): RouterStats {
    return this.#placed.stats();
  }

  load(): BackendLoad {
    return this.#placed.load();
  }

  /**
   * The task names of every backend, when each of them can list its own
   * (`taskNames`); `undefined` when any cannot, since then any name might run.
   */
  get taskNames(): readonly string[] | undefined {
    const names = new Set<string>();
    for (const backend of this.#backends.values()) {
      const own = taskNamesOf(backend);
      if (own === undefined) return undefined;
      for (const name of own) names.add(name);
    }
    return [...names];
  }

  canRun(taskName: string): boolean {
    return !this.#closer.closed && this.#findAuto(taskName, 0) !== -1;
  }

  runTask(taskName: string, input: unknown, strategyOrOptions?: StrategyOrOptions | RunTaskOptions): Promise<unknown> {
    if (typeof taskName !== 'string') {
      return Promise.reject(invalidArgumentError(`runTask: the task name must be a string, got ${typeof taskName}`));
    }
    if (this.#closer.closed) return Promise.reject(backendClosedError('router', taskName));
    if (strategyOrOptions === undefined) {
      // The shortest path, for the most common router (one backend, nothing observing): what #routeCall does, minus its steps.
      const sole = this.#soleUnobserved;
      if (sole === undefined) return this.#route(taskName, input, 'auto', undefined);
      this.#nextCallId++;
      return askCanRun(sole, taskName) ? invokeBackend(sole, taskName, input, undefined) : Promise.reject(this.#noBackendForAuto(taskName));
    }
    if (typeof strategyOrOptions === 'string') return this.#route(taskName, input, strategyOrOptions, undefined);
    if (typeof strategyOrOptions !== 'object' || strategyOrOptions === null) {
      return Promise.reject(
        invalidArgumentError(
          `runTask('${taskName}'): the third argument must be a strategy name or { strategy, signal, timeout }, got ${strategyOrOptions === null ? 'null' : typeof strategyOrOptions}`,
        ),
      );
    }
    let strategy = 'auto';
    let options: CallOptions;
    try {
      options = readRunOptions(taskName, strategyOrOptions);
      const named = (strategyOrOptions as RunOptions).strategy;
      if (named !== undefined) {
        if (typeof named !== 'string') {
          throw invalidArgumentError(`runTask('${taskName}'): strategy must be a string, got ${typeof named}`);
        }
        strategy = named;
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (options === noCallOptions) return this.#route(taskName, input, strategy, undefined);
    if (options.signal?.aborted === true) {
      // Nothing ran, but the error still names where the call would have gone.
      const index = strategy === 'auto' ? this.#findAuto(taskName, 0) : -1;
      const backend = strategy !== 'auto' ? strategy : index === -1 ? 'router' : this.order[index];
      return Promise.reject(abortErrorFrom(options.signal.reason, taskName, backend));
    }
    // The deadline rejects the call itself, so the caller is answered even if a backend ignores the signal.
    return runUnderDeadline(taskName, undefined, options, (_signal, deadline) => this.#route(taskName, input, strategy, deadline, options.onProgress));
  }

  close(): Promise<void> {
    return this.#closer.close();
  }

  streamTask(taskName: string, input: unknown, strategyOrOptions?: StrategyOrOptions | StreamTaskOptions): AsyncIterable<unknown> {
    if (this.#tracer !== undefined) return this.#tracedStream(this.#tracer, taskName, input, strategyOrOptions);
    return lazyStream(() => this.#openStream(taskName, input, strategyOrOptions, undefined));
  }

  #tracedStream(tracer: TracerLike, taskName: string, input: unknown, strategyOrOptions: StrategyOrOptions | StreamTaskOptions | undefined): AsyncIterable<unknown> {
    return traceRouterStream(tracer, String(taskName), strategyNameOf(strategyOrOptions), () => this.#openStream(taskName, input, strategyOrOptions, tracer));
  }

  // Throws, rather than rejects: lazyStream (or the traced stream) turns it into the first step's rejection.
  #openStream(taskName: string, input: unknown, strategyOrOptions: StrategyOrOptions | StreamTaskOptions | undefined, tracer: TracerLike | undefined): AsyncIterable<unknown> {
    if (typeof taskName !== 'string') throw invalidArgumentError(`streamTask: the task name must be a string, got ${typeof taskName}`);
    if (this.#closer.closed) throw backendClosedError('router', taskName);
    let strategy = 'auto';
    let options: StreamTaskOptions | undefined;
    let checked: CallOptions = noCallOptions;
    if (typeof strategyOrOptions === 'string') strategy = strategyOrOptions;
    else if (strategyOrOptions !== undefined) {
      if (typeof strategyOrOptions !== 'object' || strategyOrOptions === null) {
        throw invalidArgumentError(`streamTask('${taskName}'): the third argument must be a strategy name or { strategy, signal, timeout, highWaterMark }`);
      }
      const { strategy: named, ...rest } = strategyOrOptions as RunOptions & StreamTaskOptions;
      if (named !== undefined && typeof named !== 'string') throw invalidArgumentError(`streamTask('${taskName}'): strategy must be a string`);
      strategy = named ?? 'auto';
      checked = readStreamOptions(taskName, rest);
      options = rest;
    }
    let placedOn: string | undefined;
    const tracedOn = tracer === undefined ? undefined : this.#tracedOn(tracer, taskName, input, options);
    const placed =
      strategy === 'auto' && this.#placesAuto
        ? openPlacedStream(
            this.#placed,
            (index) => this.#backends.get((placedOn = this.backendNames[index] as string)) as ComputeBackendLike,
            taskName,
            input,
            options,
            tracedOn === undefined ? undefined : (index, reason) => ((placedOn = this.backendNames[index] as string), tracedOn(index, reason)),
          )
        : undefined;
    // The deadline ends the loop itself, so the caller is answered even if a backend ignores it (as runTask does).
    if (placed !== undefined) return streamUnderDeadline(placed, taskName, placedOn, checked);
    const name = strategy === 'auto' ? this.order.find((candidate) => askCanRun(this.#backends.get(candidate) as ComputeBackendLike, taskName)) : strategy;
    const backend = name === undefined ? undefined : this.#backends.get(name);
    if (name === undefined || backend === undefined) {
      throw name === undefined ? this.#noBackendForAuto(taskName) : new ComputeError({ code: 'NO_BACKEND', message: `No backend available for task '${taskName}' using strategy '${strategy}': no backend is named '${strategy}' (backends: ${this.#listBackends()})`, taskName });
    }
    if (typeof backend.streamTask !== 'function') {
      throw new ComputeError({ code: 'INVALID_REQUEST', message: `Backend '${name}' cannot stream task '${taskName}': it has no streamTask`, taskName, backend: name });
    }
    if (tracedOn === undefined) return streamUnderDeadline(backend.streamTask(taskName, input, options), taskName, name, checked);
    const reason = strategy !== 'auto' ? 'explicit' : this.#placesAuto ? 'ordered' : this.#soleReason;
    return streamUnderDeadline(tracedOn(this.#backendIndex.get(name) as number, reason), taskName, name, checked);
  }

  // A method of its own, so that the untraced #openStream allocates no closure context for what this captures.
  #tracedOn(tracer: TracerLike, taskName: string, input: unknown, options: StreamTaskOptions | undefined): (backendIndex: number, reason: PlacementReason) => AsyncIterable<unknown> {
    return (backendIndex, reason) => {
      const backendName = this.backendNames[backendIndex] as string;
      const backend = this.#backends.get(backendName) as ComputeBackendLike & Required<Pick<ComputeBackendLike, 'streamTask'>>;
      return traceStreamAttempt(tracer, taskName, backendName, reason, () => backend.streamTask(taskName, input, options));
    };
  }

  async #closeBackends(): Promise<void> {
    const results = await Promise.allSettled(
      // Through a promise, so that a close() that throws synchronously cannot stop the others from closing.
      [...this.#backends.values()].map(async (backend) => (typeof backend.close === 'function' ? backend.close() : undefined)),
    );
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length > 0) {
      throw new AggregateError(failures.map((failure) => failure.reason as unknown), `${failures.length} backend(s) failed to close`);
    }
  }

  #resolveOrder(order: readonly string[] | undefined): string[] {
    if (order === undefined) {
      const head = defaultOrderHead.filter((name) => this.#backends.has(name));
      const rest = this.backendNames.filter((name) => !(defaultOrderHead as readonly string[]).includes(name));
      return [...head, ...rest];
    }
    if (!Array.isArray(order)) throw invalidArgumentError('createHybridCompute: order must be an array of backend names');
    for (const name of order) {
      if (!this.#backends.has(name)) {
        throw invalidArgumentError(
          `createHybridCompute: order names backend '${String(name)}', which is not configured (backends: ${this.#listBackends()})`,
        );
      }
    }
    return [...new Set(order)];
  }

  #route(
    taskName: string,
    input: unknown,
    strategy: string,
    deadline: CallDeadline | undefined,
    onProgress?: ((value: unknown) => void) | undefined,
  ): Promise<unknown> {
    if (this.#tracer !== undefined) return traceRouterCall(this.#tracer, taskName, strategy, () => this.#routeUntraced(taskName, input, strategy, deadline, onProgress));
    return this.#routeUntraced(taskName, input, strategy, deadline, onProgress);
  }

  #routeUntraced(taskName: string, input: unknown, strategy: string, deadline: CallDeadline | undefined, onProgress: ((value: unknown) => void) | undefined): Promise<unknown> {
    const callId = this.#nextCallId++;
    if (onProgress === undefined) return this.#routeCall(taskName, input, strategy, deadline, callId);
    // Kept by call id, since placement hands attempts on without knowing of progress.
    this.#progressOf.set(callId, onProgress);
    const call = this.#routeCall(taskName, input, strategy, deadline, callId);
    const forget = (): void => {
      this.#progressOf.delete(callId);
    };
    call.then(forget, forget);
    return call;
  }

  #routeCall(taskName: string, input: unknown, strategy: string, deadline: CallDeadline | undefined, callId: number): Promise<unknown> {
    if (strategy === 'auto') {
      if (this.#placesAuto) return this.#placed.run(taskName, input, deadline, callId) ?? Promise.reject(this.#noBackendForAuto(taskName));
      const index = this.#findAuto(taskName, 0);
      if (index === -1) return Promise.reject(this.#noBackendForAuto(taskName));
      return this.#attempt(this.#autoBackends[index] as ComputeBackendLike, this.order[index] as string, taskName, input, deadline, callId, this.#soleReason);
    }
    const backendIndex = this.#backendIndex.get(strategy);
    if (backendIndex === undefined) {
      return Promise.reject(
        new ComputeError({
          code: 'NO_BACKEND',
          message: `No backend available for task '${taskName}' using strategy '${strategy}': no backend is named '${strategy}' (backends: ${this.#listBackends()})`,
          taskName,
        }),
      );
    }
    // An explicit strategy is the caller's choice: the backend itself says whether it has the task.
    return this.#placed.runExplicit(backendIndex, taskName, input, deadline, callId);
  }

  // A field, not a method: its type is AttemptCall, and PlacedCalls is handed it as it is.
  readonly #attempt: AttemptCall = (backend, backendName, taskName, input, deadline, callId, reason) => {
    let options: RunTaskOptions | undefined;
    let signal: AbortSignal | undefined;
    const onProgress = this.#progressOf.size === 0 ? undefined : this.#progressOf.get(callId);
    if (deadline !== undefined) {
      // The router's own timeout names the backend the call was on when it passed.
      deadline.backend = backendName;
      signal = deadline.signal;
      options = onProgress === undefined ? { signal } : { signal, onProgress };
    } else if (onProgress !== undefined) {
      options = { onProgress };
    }
    if (this.#tracer !== undefined) {
      const observed = this.#observed;
      return traceAttempt(this.#tracer, taskName, backendName, reason, () =>
        observed ? observeAttempt(this.#hooks, { taskName, backend: backendName, callId, reason }, signal, () => invokeBackend(backend, taskName, input, options)) : invokeBackend(backend, taskName, input, options),
      );
    }
    if (!this.#observed) return invokeBackend(backend, taskName, input, options);
    return observeAttempt(this.#hooks, { taskName, backend: backendName, callId, reason }, signal, () =>
      invokeBackend(backend, taskName, input, options),
    );
  };

  #findAuto(taskName: string, from: number): number {
    const backends = this.#autoBackends;
    for (let index = from; index < backends.length; index++) {
      if (askCanRun(backends[index] as ComputeBackendLike, taskName)) return index;
    }
    return -1;
  }

  #noBackendForAuto(taskName: string): ComputeError {
    const prefix = `No backend available for task '${taskName}' using strategy 'auto'`;
    if (this.order.length === 0) {
      const why = this.backendNames.length > 0 ? `its order is empty (backends: ${this.#listBackends()}; name one as the strategy)` : 'the router has no backends';
      return new ComputeError({ code: 'NO_BACKEND', message: `${prefix}: ${why}`, taskName });
    }
    const starting = this.order.filter((name) => (this.#backends.get(name) as { starting?: unknown }).starting === true);
    const known = this.taskNames;
    let why = `none of ${this.order.join(', ')} can run it`;
    if (starting.length > 0) {
      why += ` (${starting.map((name) => `${name} is still starting: await ${name}.ready()`).join('; ')})`;
    } else if (known !== undefined && !known.includes(taskName)) {
      why = `no backend has a task of that name (tasks: ${known.length === 0 ? 'none' : [...known].sort().join(', ')})`;
    }
    return new ComputeError({ code: 'NO_BACKEND', message: `${prefix}: ${why}`, taskName });
  }

  #listBackends(): string {
    return this.backendNames.length === 0 ? 'none' : this.backendNames.join(', ');
  }
}

/** The strategy a stream's options name, for its span: `'auto'` unless they name one (bad options fail when the stream opens). */
function strategyNameOf(strategyOrOptions: unknown): string {
  if (typeof strategyOrOptions === 'string') return strategyOrOptions;
  const named = typeof strategyOrOptions === 'object' && strategyOrOptions !== null ? (strategyOrOptions as { strategy?: unknown }).strategy : undefined;
  return typeof named === 'string' ? named : 'auto';
}
