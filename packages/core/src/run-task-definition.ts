import { abortErrorFrom } from './abort-error-from.js';
import { settleOnAbort } from './settle-on-abort.js';
import { taskFailedError } from './task-failed-error.js';
import { InProcessTaskContext } from './in-process-task-context.js';
import { isTaskStream } from './task-stream.js';
import type { AnyComputeTask } from './types.js';

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
 * @param onProgress - receives what the task passes to `context.progress`,
 *   in order, until the call settles; a promise it returns is what the
 *   task's `context.progress` returns (it paces a task that awaits).
 *
 * A task whose `run` is an async generator has its chunks read and dropped:
 * the call resolves with the generator's return value.
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
  onProgress?: ((value: unknown) => void) | undefined,
): Promise<Output> {
  if (signal == null || typeof signal === 'function') {
    return run(task, input, new InProcessTaskContext(signal ?? undefined, onProgress), backend, undefined) as Promise<Output>;
  }
  if (signal.aborted) return Promise.reject(abortErrorFrom(signal.reason, task.name, backend));
  const context = new InProcessTaskContext(signal, onProgress);
  return settleOnAbort(run(task, input, context, backend, signal), signal, task.name, backend) as Promise<Output>;
}

function run(task: AnyComputeTask, input: unknown, context: InProcessTaskContext, backend: string, signal: AbortSignal | undefined): Promise<unknown> {
  let result: unknown;
  try {
    result = task.run(input, context);
  } catch (error) {
    context.settle();
    return Promise.reject(taskFailedError(task.name, backend, error));
  }
  // Most tasks answer a promise: asked first, so that their calls skip the stream check.
  if (!isThenable(result)) {
    if (!isTaskStream(result)) {
      context.settle();
      return Promise.resolve(result);
    }
    result = drain(result, signal);
  }
  // Without a listener there is no progress to cut off, and the fulfilment handler would cost every call a closure.
  if (!context.reports) {
    return Promise.resolve(result).then(undefined, (error: unknown) => {
      throw taskFailedError(task.name, backend, error);
    });
  }
  return Promise.resolve(result).then(
    (value) => {
      context.settle();
      return value;
    },
    (error: unknown) => {
      context.settle();
      throw taskFailedError(task.name, backend, error);
    },
  );
}

/** `runTask` on a streaming task: its chunks are read and dropped, and its return value is the result. */
async function drain(stream: AsyncIterator<unknown, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
  // Closing the generator on abort runs its finally blocks, as a local `for await` that stops would.
  const close = (): void => void Promise.resolve(stream.return?.()).catch(() => undefined);
  signal?.addEventListener('abort', close, { once: true });
  try {
    for (;;) {
      const step = await stream.next();
      if (step.done === true) return step.value;
      if (signal?.aborted === true) return undefined;
    }
  } finally {
    signal?.removeEventListener('abort', close);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
