import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { invalidArgumentError } from './invalid-argument-error.js';
import { backendClosedError } from './lifecycle/backend-unavailable-error.js';
import type { CallDeadline } from './lifecycle/call-deadline.js';
import { CloseOnce } from './lifecycle/close-once.js';
import { noCallOptions, readRunOptions, type CallOptions } from './lifecycle/read-run-options.js';
import { runUnderDeadline } from './lifecycle/run-under-deadline.js';
import { lazyStream } from './lazy-stream.js';
import { readStreamOptions } from './lifecycle/read-run-options.js';
import { observeAttempt } from './observe-attempt.js';
import type {
  HybridComputeRunTask,
  HybridComputeStreamTask,
  HybridComputeBackends,
  HybridComputeConstructor,
  HybridComputeOptions,
  RouterBackendName,
  RouterTasks,
  RunOptions,
  StrategyOrOptions,
} from './hybrid-compute-types.js';
import type { CheckedBackends } from './inferred-tasks.js';
import type { ComputeBackendLike, RunTaskOptions, StreamTaskOptions } from './types.js';

/**
 * The router: runs each task on the best backend that can run it. It is
 * itself a backend (`canRun` + `runTask`), so routers nest and a server can
 * serve one.
 *
 * @typeParam Tasks - the type of a task collection (`typeof tasks` for an
 * array, record or module namespace of `defineTask` results), inferred from
 * the backends or given explicitly. When known, `runTask` accepts only those
 * names and infers input and output types; `unknown` takes any name.
 * @typeParam BackendName - the names `runTask`'s strategy accepts besides `'auto'`; `string` for any.
 *
 * @example
 * ```ts
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }) }); // HybridCompute<MergedTasks<typeof tasks>, 'local'>
 * if (compute.canRun('double')) console.log(await compute.runTask('double', 21)); // 42
 * console.log(compute.backendNames, compute.order); // ['local'] ['local']
 * await compute.close();
 * ```
 */
export interface HybridCompute<Tasks = unknown, BackendName extends string = string> {
  /**
   * Runs a task.
   *
   * @param taskName - the task's name.
   * @param input - its input; must suit the backend (structured-cloneable for workers, JSON for remote).
   * @param strategy - `'auto'` (default) tries the backends in order and falls back
   *   past any that reports `BACKEND_UNAVAILABLE`; a backend's name runs there only.
   *   Or `{ strategy, signal, timeout }`.
   * @returns a promise of the task's output. It rejects with a `ComputeError`:
   *   `NO_BACKEND`, `TASK_NOT_FOUND`, `TASK_FAILED`, `TASK_TIMEOUT`, `TASK_ABORTED`,
   *   `BACKEND_UNAVAILABLE` and so on; with a `TypeError` (code `INVALID_REQUEST`) for bad arguments.
   *
   * @example
   * ```ts
   * const doubled = await compute.runTask('double', 21);                  // 'auto'
   * await compute.runTask('double', 21, 'local');                         // one backend
   * await compute.runTask('double', 21, { timeout: 500, signal });        // deadline and cancel
   * ```
   */
  readonly runTask: HybridComputeRunTask<Tasks, BackendName>;
  /**
   * Runs a streaming task (its `run` is an `async function*`) and yields its
   * chunks as they come, with at most `highWaterMark` on their way: a loop
   * that reads slowly slows the task down. Leaving the loop early stops the
   * task where it runs. Takes the same strategy and options as `runTask`.
   * Bad arguments, and a chosen backend that cannot stream, reject the
   * loop's first step; nothing throws where it is called.
   *
   * @example
   * ```ts
   * for await (const tile of compute.streamTask('tiles', image, { timeout: 60_000 })) {
   *   draw(tile);
   *   if (done()) break; // the task is closed where it runs
   * }
   * ```
   */
  readonly streamTask: HybridComputeStreamTask<Tasks>;
  /** Whether any backend in the `'auto'` order can run the task. */
  canRun(taskName: string): boolean;
  /** The names of the configured backends, in insertion order. */
  readonly backendNames: readonly BackendName[];
  /** The order `'auto'` asks the backends in. */
  readonly order: readonly BackendName[];
  /**
   * The task names of all backends, when every backend lists its own
   * (`taskNames`); `undefined` when any cannot, since then any name may run.
   */
  readonly taskNames: readonly string[] | undefined;
  /**
   * Closes every backend that has a `close()` method; rejects with an
   * `AggregateError` if any fails. From the first call on, the router runs
   * nothing: every new call rejects with `BACKEND_UNAVAILABLE`. Calling it
   * again returns the same promise.
   */
  close(): Promise<void>;
  /** Type-level only (never set): the router's tasks, so that an outer router infers them. */
  readonly '~tasks'?: Tasks;
}

const defaultOrderHead = ['worker', 'local', 'remote'] as const;

class HybridComputeRouter {
  readonly backendNames: readonly string[];
  readonly order: readonly string[];
  readonly #backends = new Map<string, ComputeBackendLike>();
  // Parallel arrays: the hot path walks these without a Map lookup per backend.
  readonly #autoBackends: ComputeBackendLike[];
  readonly #hooks: Pick<HybridComputeOptions, 'onTaskStart' | 'onTaskSettled'>;
  readonly #observed: boolean;
  readonly #closer: CloseOnce;

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
    this.#closer = new CloseOnce(() => this.#closeBackends());
    // Users hand these around detached (`const { runTask } = compute`), and they read private state.
    this.runTask = this.runTask.bind(this);
    this.streamTask = this.streamTask.bind(this);
    this.canRun = this.canRun.bind(this);
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
    if (strategyOrOptions === undefined) return this.#route(taskName, input, 'auto', undefined);
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
    return lazyStream(() => this.#openStream(taskName, input, strategyOrOptions));
  }

  // Throws, rather than rejects: lazyStream turns it into the first step's rejection.
  #openStream(taskName: string, input: unknown, strategyOrOptions: StrategyOrOptions | StreamTaskOptions | undefined): AsyncIterable<unknown> {
    if (typeof taskName !== 'string') throw invalidArgumentError(`streamTask: the task name must be a string, got ${typeof taskName}`);
    if (this.#closer.closed) throw backendClosedError('router', taskName);
    let strategy = 'auto';
    let options: StreamTaskOptions | undefined;
    if (typeof strategyOrOptions === 'string') strategy = strategyOrOptions;
    else if (strategyOrOptions !== undefined) {
      if (typeof strategyOrOptions !== 'object' || strategyOrOptions === null) {
        throw invalidArgumentError(`streamTask('${taskName}'): the third argument must be a strategy name or { strategy, signal, timeout, highWaterMark }`);
      }
      const { strategy: named, ...rest } = strategyOrOptions as RunOptions & StreamTaskOptions;
      if (named !== undefined && typeof named !== 'string') throw invalidArgumentError(`streamTask('${taskName}'): strategy must be a string`);
      strategy = named ?? 'auto';
      readStreamOptions(taskName, rest);
      options = rest;
    }
    const name = strategy === 'auto' ? this.order.find((candidate) => askCanRun(this.#backends.get(candidate) as ComputeBackendLike, taskName)) : strategy;
    const backend = name === undefined ? undefined : this.#backends.get(name);
    if (name === undefined || backend === undefined) {
      throw name === undefined ? this.#noBackendForAuto(taskName) : new ComputeError({ code: 'NO_BACKEND', message: `No backend available for task '${taskName}' using strategy '${strategy}': no backend is named '${strategy}' (backends: ${this.#listBackends()})`, taskName });
    }
    if (typeof backend.streamTask !== 'function') {
      throw new ComputeError({ code: 'INVALID_REQUEST', message: `Backend '${name}' cannot stream task '${taskName}': it has no streamTask`, taskName, backend: name });
    }
    return backend.streamTask(taskName, input, options);
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
    if (strategy === 'auto') {
      const index = this.#findAuto(taskName, 0);
      if (index === -1) return Promise.reject(this.#noBackendForAuto(taskName));
      return this.#runAuto(index, taskName, input, deadline, onProgress, undefined);
    }
    const backend = this.#backends.get(strategy);
    if (backend === undefined) {
      return Promise.reject(
        new ComputeError({
          code: 'NO_BACKEND',
          message: `No backend available for task '${taskName}' using strategy '${strategy}': no backend is named '${strategy}' (backends: ${this.#listBackends()})`,
          taskName,
        }),
      );
    }
    // An explicit strategy is the caller's choice: the backend itself says whether it has the task.
    return this.#attempt(backend, strategy, taskName, input, deadline, onProgress);
  }

  #runAuto(
    index: number,
    taskName: string,
    input: unknown,
    deadline: CallDeadline | undefined,
    onProgress: ((value: unknown) => void) | undefined,
    earlierFailures: ComputeError[] | undefined,
  ): Promise<unknown> {
    const name = this.order[index] as string;
    const attempt = this.#attempt(this.#autoBackends[index] as ComputeBackendLike, name, taskName, input, deadline, onProgress);
    const isLast = index === this.#autoBackends.length - 1;
    // With no later backend to take over and nothing to report, the attempt is the answer: no extra promise.
    if (isLast && earlierFailures === undefined) return attempt;
    return attempt.then(undefined, (error: unknown) => {
      if (!ComputeError.isInstance(error) || error.code !== 'BACKEND_UNAVAILABLE' || deadline?.expired !== undefined) {
        throw error;
      }
      const next = isLast ? -1 : this.#findAuto(taskName, index + 1);
      const failures = earlierFailures === undefined ? [error] : [...earlierFailures, error];
      if (next !== -1) return this.#runAuto(next, taskName, input, deadline, onProgress, failures);
      throw failures.length === 1 ? error : allUnavailable(taskName, failures);
    });
  }

  #attempt(
    backend: ComputeBackendLike,
    backendName: string,
    taskName: string,
    input: unknown,
    deadline: CallDeadline | undefined,
    onProgress: ((value: unknown) => void) | undefined,
  ): Promise<unknown> {
    let options: RunTaskOptions | undefined;
    let signal: AbortSignal | undefined;
    if (deadline !== undefined) {
      // The router's own timeout names the backend the call was on when it passed.
      deadline.backend = backendName;
      signal = deadline.signal;
      options = onProgress === undefined ? { signal } : { signal, onProgress };
    } else if (onProgress !== undefined) {
      options = { onProgress };
    }
    if (!this.#observed) return invokeBackend(backend, taskName, input, options);
    return observeAttempt(this.#hooks, { taskName, backend: backendName }, signal, () =>
      invokeBackend(backend, taskName, input, options),
    );
  }

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

function invokeBackend(
  backend: ComputeBackendLike,
  taskName: string,
  input: unknown,
  options: RunTaskOptions | undefined,
): Promise<unknown> {
  let result: unknown;
  try {
    result = backend.runTask(taskName, input, options);
  } catch (error) {
    // Outside the contract, but the caller still gets a rejection, as if the backend had been async.
    return Promise.reject(error);
  }
  if (result instanceof Promise) return result;
  // A backend outside this project may return a thenable or even a plain value.
  return Promise.resolve(result);
}

function allUnavailable(taskName: string, failures: ComputeError[]): ComputeError {
  const described = failures.map((failure) => `${failure.backend ?? 'a backend'}: ${failure.message}`).join('; ');
  return new ComputeError({
    code: 'BACKEND_UNAVAILABLE',
    message: `No backend could run task '${taskName}' using strategy 'auto': ${described}`,
    taskName,
    cause: failures[failures.length - 1],
  });
}

function askCanRun(backend: ComputeBackendLike, taskName: string): boolean {
  try {
    return backend.canRun(taskName) === true;
  } catch {
    // A backend that cannot answer cannot be trusted with the call.
    return false;
  }
}

function taskNamesOf(backend: ComputeBackendLike): readonly string[] | undefined {
  try {
    const names: unknown = backend.taskNames;
    return Array.isArray(names) ? (names as string[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The router class. `new HybridCompute(backends, options)` is the same as
 * {@link createHybridCompute}; `value instanceof HybridCompute` works.
 *
 * @example
 * ```ts
 * const compute = new HybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * compute instanceof HybridCompute; // true
 * await compute.runTask('double', 21); // 42
 * ```
 */
export const HybridCompute = HybridComputeRouter as unknown as HybridComputeConstructor;


/**
 * Creates a router over the given backends.
 *
 * @param backends - backends by name; `worker`, `local` and `remote` have a place in
 *   the default `'auto'` order, any other name comes after them.
 * @param options - the `'auto'` order and observability hooks.
 * @typeParam Tasks - usually left out: the router infers its task names, inputs and
 *   outputs from the backends' task types, and its strategy takes only `'auto'`
 *   and the backends' names. One backend without task types (an object literal,
 *   a worker given no `tasks`) makes the router untyped: any task name. A task two
 *   backends type differently is a compile error naming the task. Given
 *   explicitly (`typeof tasks`), it types `runTask` by those tasks instead, and
 *   the strategy takes any string.
 * @typeParam Backends - inferred from `backends`; not meant to be given.
 * @throws TypeError (code `INVALID_REQUEST`) for a backend without `canRun`/`runTask`
 *   or an `order` naming a backend that is not configured.
 *
 * @example
 * ```ts
 * import { createHybridCompute } from '@hybridcompute/core';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const compute = createHybridCompute({ local: createLocalBackend({ tasks }) });
 * const doubled = await compute.runTask('double', 21); // number
 * await compute.runTask('double', 21, 'lcoal'); // compile error: the strategy is 'auto' or 'local'
 * ```
 */
export function createHybridCompute<Tasks = never, Backends extends HybridComputeBackends = HybridComputeBackends>(
  backends: CheckedBackends<Backends>,
  options?: HybridComputeOptions<NoInfer<RouterBackendName<Tasks, Backends>>>,
): HybridCompute<RouterTasks<Tasks, Backends>, RouterBackendName<Tasks, Backends>> {
  return new HybridCompute<Tasks, Backends>(backends, options);
}
