import { abortErrorFrom } from './abort-error-from.js';
import { ComputeError } from './compute-error.js';
import { invalidArgumentError } from './invalid-argument-error.js';
import { isAbortSignal } from './is-abort-signal.js';
import { isTimerDelay, maxTimerDelay } from './is-timer-delay.js';
import type {
  HybridComputeRunTask,
  HybridComputeBackends,
  HybridComputeConstructor,
  HybridComputeOptions,
  RunOptions,
  StrategyOrOptions,
} from './hybrid-compute-types.js';
import type { ComputeBackendLike, RunTaskOptions } from './types.js';

/**
 * The router: runs each task on the best backend that can run it. It is
 * itself a backend (`canRun` + `runTask`), so routers nest and a server can
 * serve one.
 *
 * @typeParam Tasks - the type of a task collection (`typeof tasks` for an
 * array, record or module namespace of `defineTask` results). When given,
 * `runTask` accepts only those names and infers input and output types.
 *
 * @example
 * ```ts
 * const compute: HybridCompute<typeof tasks> = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * if (compute.canRun('double')) console.log(await compute.runTask('double', 21)); // 42
 * console.log(compute.backendNames, compute.order); // ['local'] ['local']
 * await compute.close();
 * ```
 */
export interface HybridCompute<Tasks = unknown> {
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
  readonly runTask: HybridComputeRunTask<Tasks>;
  /** Whether any backend in the `'auto'` order can run the task. */
  canRun(taskName: string): boolean;
  /** The names of the configured backends, in insertion order. */
  readonly backendNames: readonly string[];
  /** The order `'auto'` asks the backends in. */
  readonly order: readonly string[];
  /** Closes every backend that has a `close()` method; rejects with an `AggregateError` if any fails. */
  close(): Promise<void>;
}

const defaultOrderHead = ['worker', 'local', 'remote'] as const;

class HybridComputeRouter {
  readonly backendNames: readonly string[];
  readonly order: readonly string[];
  readonly #backends = new Map<string, ComputeBackendLike>();
  // Parallel arrays: the hot path walks these without a Map lookup per backend.
  readonly #autoBackends: ComputeBackendLike[];
  readonly #onTaskStart: HybridComputeOptions['onTaskStart'];
  readonly #onTaskSettled: HybridComputeOptions['onTaskSettled'];
  readonly #observed: boolean;

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
    this.#onTaskStart = options.onTaskStart;
    this.#onTaskSettled = options.onTaskSettled;
    this.#observed = options.onTaskStart !== undefined || options.onTaskSettled !== undefined;
    // Users hand these around detached (`const { runTask } = compute`), and they read private state.
    this.runTask = this.runTask.bind(this);
    this.canRun = this.canRun.bind(this);
  }

  canRun(taskName: string): boolean {
    return this.#findAuto(taskName, 0) !== -1;
  }

  runTask(taskName: string, input: unknown, strategyOrOptions?: StrategyOrOptions | RunTaskOptions): Promise<unknown> {
    if (typeof taskName !== 'string') {
      return Promise.reject(invalidArgumentError(`runTask: the task name must be a string, got ${typeof taskName}`));
    }
    let strategy: string = 'auto';
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    if (typeof strategyOrOptions === 'string') {
      strategy = strategyOrOptions;
    } else if (typeof strategyOrOptions === 'object' && strategyOrOptions !== null) {
      const options = strategyOrOptions as RunOptions;
      if (options.strategy !== undefined) {
        if (typeof options.strategy !== 'string') {
          return Promise.reject(invalidArgumentError(`runTask('${taskName}'): strategy must be a string, got ${typeof options.strategy}`));
        }
        strategy = options.strategy;
      }
      signal = options.signal;
      if (signal !== undefined && !isAbortSignal(signal)) {
        return Promise.reject(invalidArgumentError(`runTask('${taskName}'): signal must be an AbortSignal`));
      }
      timeout = options.timeout;
      if (timeout !== undefined && !isTimerDelay(timeout)) {
        return Promise.reject(
          invalidArgumentError(`runTask('${taskName}'): timeout must be a number of milliseconds from 1 to ${maxTimerDelay}, got ${String(timeout)}`),
        );
      }
    } else if (strategyOrOptions !== undefined) {
      return Promise.reject(
        invalidArgumentError(
          `runTask('${taskName}'): the third argument must be a strategy name or { strategy, signal, timeout }, got ${strategyOrOptions === null ? 'null' : typeof strategyOrOptions}`,
        ),
      );
    }

    if (signal === undefined && timeout === undefined) return this.#route(taskName, input, strategy, undefined);
    return this.#routeWithDeadline(taskName, input, strategy, signal, timeout);
  }

  async close(): Promise<void> {
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

  #routeWithDeadline(
    taskName: string,
    input: unknown,
    strategy: string,
    signal: AbortSignal | undefined,
    timeout: number | undefined,
  ): Promise<unknown> {
    if (signal?.aborted === true) return Promise.reject(abortErrorFrom(signal.reason, taskName));
    const controller = new AbortController();
    return new Promise((resolve, reject) => {
      // The router aborts its own controller, so it rejects right there instead of listening to it.
      const stop = (error: ComputeError): void => {
        cleanUp();
        controller.abort(error);
        reject(error);
      };
      const onCallerAbort = (): void => stop(abortErrorFrom(signal?.reason, taskName));
      const timer =
        timeout === undefined
          ? undefined
          : setTimeout(() => {
              stop(new ComputeError({ code: 'TASK_TIMEOUT', message: `Task '${taskName}' timed out after ${timeout} ms`, taskName }));
            }, timeout);
      const cleanUp = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onCallerAbort);
      };
      signal?.addEventListener('abort', onCallerAbort, { once: true });
      // Settling twice is harmless: whichever of the backend and the deadline comes first decides.
      this.#route(taskName, input, strategy, { signal: controller.signal }).then(
        (value) => {
          cleanUp();
          resolve(value);
        },
        (error: unknown) => {
          cleanUp();
          reject(error);
        },
      );
    });
  }

  #route(taskName: string, input: unknown, strategy: string, options: RunTaskOptions | undefined): Promise<unknown> {
    if (strategy === 'auto') {
      const index = this.#findAuto(taskName, 0);
      if (index === -1) {
        return Promise.reject(
          new ComputeError({
            code: 'NO_BACKEND',
            message: `No backend available for task '${taskName}' using strategy 'auto': ${
              this.order.length > 0
                ? `none of ${this.order.join(', ')} can run it`
                : this.backendNames.length > 0
                  ? `its order is empty (backends: ${this.#listBackends()}; name one as the strategy)`
                  : 'the router has no backends'
            }`,
            taskName,
          }),
        );
      }
      return this.#runAuto(index, taskName, input, options, undefined);
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
    return this.#attempt(backend, strategy, taskName, input, options);
  }

  #runAuto(
    index: number,
    taskName: string,
    input: unknown,
    options: RunTaskOptions | undefined,
    earlierFailures: ComputeError[] | undefined,
  ): Promise<unknown> {
    const name = this.order[index] as string;
    const attempt = this.#attempt(this.#autoBackends[index] as ComputeBackendLike, name, taskName, input, options);
    const isLast = index === this.#autoBackends.length - 1;
    // With no later backend to take over and nothing to report, the attempt is the answer: no extra promise.
    if (isLast && earlierFailures === undefined) return attempt;
    return attempt.then(undefined, (error: unknown) => {
      if (!ComputeError.isInstance(error) || error.code !== 'BACKEND_UNAVAILABLE' || options?.signal?.aborted === true) {
        throw error;
      }
      const next = isLast ? -1 : this.#findAuto(taskName, index + 1);
      const failures = earlierFailures === undefined ? [error] : [...earlierFailures, error];
      if (next !== -1) return this.#runAuto(next, taskName, input, options, failures);
      throw failures.length === 1 ? error : allUnavailable(taskName, failures);
    });
  }

  #attempt(
    backend: ComputeBackendLike,
    backendName: string,
    taskName: string,
    input: unknown,
    options: RunTaskOptions | undefined,
  ): Promise<unknown> {
    if (this.#observed) return this.#observedAttempt(backend, backendName, taskName, input, options);
    return invokeBackend(backend, taskName, input, options);
  }

  #observedAttempt(
    backend: ComputeBackendLike,
    backendName: string,
    taskName: string,
    input: unknown,
    options: RunTaskOptions | undefined,
  ): Promise<unknown> {
    callHook(this.#onTaskStart, { taskName, backend: backendName });
    const onTaskSettled = this.#onTaskSettled;
    const startedAt = performance.now();
    const attempt = invokeBackend(backend, taskName, input, options);
    if (onTaskSettled === undefined) return attempt;
    // Reported once: when the backend settles or when the call's deadline or signal ends it, whichever is first.
    const signal = options?.signal;
    let reported = false;
    const report = (outcome: 'fulfilled' | 'rejected', error?: unknown): void => {
      if (reported) return;
      reported = true;
      signal?.removeEventListener('abort', onAbort);
      const durationMs = performance.now() - startedAt;
      callHook(
        onTaskSettled,
        outcome === 'fulfilled'
          ? { taskName, backend: backendName, durationMs, outcome }
          : { taskName, backend: backendName, durationMs, outcome, error },
      );
    };
    const onAbort = (): void => report('rejected', signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    // onTaskStart, or the backend itself, may have aborted the signal before the listener was there.
    if (signal?.aborted === true) onAbort();
    attempt.then(
      () => report('fulfilled'),
      (error: unknown) => report('rejected', error),
    );
    return attempt;
  }

  #findAuto(taskName: string, from: number): number {
    const backends = this.#autoBackends;
    for (let index = from; index < backends.length; index++) {
      if (askCanRun(backends[index] as ComputeBackendLike, taskName)) return index;
    }
    return -1;
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

function callHook<Event>(hook: ((event: Event) => void) | undefined, event: Event): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // Documented: hooks observe calls and never change their outcome.
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
 * @typeParam Tasks - optional: `typeof tasks` for your task definitions, so that
 *   `runTask` checks names and infers input and output types.
 * @throws TypeError (code `INVALID_REQUEST`) for a backend without `canRun`/`runTask`
 *   or an `order` naming a backend that is not configured.
 *
 * @example
 * ```ts
 * import { createHybridCompute } from '@hybridcompute/core';
 * import { createLocalBackend } from '@hybridcompute/backend-local';
 * import * as tasks from './tasks.js';
 *
 * const compute = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
 * const doubled = await compute.runTask('double', 21); // number
 * ```
 */
export function createHybridCompute<Tasks = unknown>(
  backends: HybridComputeBackends,
  options?: HybridComputeOptions,
): HybridCompute<Tasks> {
  return new HybridCompute<Tasks>(backends, options);
}
