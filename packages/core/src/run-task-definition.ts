import { abortErrorFrom } from './abort-error-from.js';
import { settleOnAbort } from './settle-on-abort.js';
import { taskFailedError } from './task-failed-error.js';
import type { AnyComputeTask, TaskContext } from './types.js';

/**
 * Runs one task definition in the calling thread the way every in-process
 * runner should: a throw or rejection becomes `TASK_FAILED` with the task's
 * error as `cause`, never a synchronous throw; with a `signal`, the task's
 * `context.signal` aborts with it and the call rejects at once with
 * `TASK_ABORTED` / `TASK_TIMEOUT`, even if the task keeps running.
 * The local backend and the compute server's `tasks` option share it.
 *
 * @param signal - the call's signal (`null` or `undefined`: none); or a
 *   function that makes it, called only if the task reads `context.signal`
 *   (for callers that handle deadlines themselves and would rather not pay for
 *   a signal per call: the call then does not settle early on abort). Any
 *   function is taken for such a factory, so a caller passing on a user's
 *   `signal` checks first that it is an `AbortSignal`.
 * @param backend - the name errors report as their `backend`.
 *
 * @example
 * ```ts
 * const task = byName.get(taskName);
 * if (task) return runTaskDefinition(task, input, options?.signal, 'my-backend');
 * ```
 */
export function runTaskDefinition<Output = unknown>(
  task: AnyComputeTask,
  input: unknown,
  signal: AbortSignal | (() => AbortSignal) | null | undefined,
  backend: string,
): Promise<Output> {
  if (signal == null || typeof signal === 'function') return run(task, input, new InProcessTaskContext(signal ?? undefined), backend) as Promise<Output>;
  if (signal.aborted) return Promise.reject(abortErrorFrom(signal.reason, task.name, backend));
  return settleOnAbort(run(task, input, new InProcessTaskContext(signal), backend), signal, task.name, backend) as Promise<Output>;
}

function run(task: AnyComputeTask, input: unknown, context: InProcessTaskContext, backend: string): Promise<unknown> {
  let result: unknown;
  try {
    result = task.run(input, context);
  } catch (error) {
    return Promise.reject(taskFailedError(task.name, backend, error));
  }
  if (!isThenable(result)) return Promise.resolve(result);
  return Promise.resolve(result).then(undefined, (error: unknown) => {
    throw taskFailedError(task.name, backend, error);
  });
}

/**
 * The context a task runs with. The signal is made on first use: most tasks
 * never look at it, and an AbortController per call would be pure overhead.
 */
class InProcessTaskContext implements TaskContext {
  #signal: AbortSignal | (() => AbortSignal) | undefined;

  constructor(signal: AbortSignal | (() => AbortSignal) | undefined) {
    this.#signal = signal;
  }

  get signal(): AbortSignal {
    const signal = typeof this.#signal === 'function' ? this.#signal() : (this.#signal ?? new AbortController().signal);
    this.#signal = signal;
    return signal;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
