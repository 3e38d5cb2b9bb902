import { CallDeadline } from './call-deadline.js';
import type { CallOptions } from './read-run-options.js';

/**
 * Runs `work` under a call's deadline: `work` gets the deadline's signal
 * (`undefined` when the call has neither timeout nor signal), and the call
 * settles with the work, or with `TASK_TIMEOUT` / `TASK_ABORTED` the moment
 * the deadline expires, even if the work ignores its signal. Timer and
 * listener are released either way. A `work` that throws becomes a rejection.
 *
 * @example
 * ```ts
 * // a backend that runs promises in this thread
 * return runUnderDeadline(taskName, 'local', readRunOptions(taskName, options), (signal) => task.run(input, { signal }));
 * ```
 */
export function runUnderDeadline<T>(
  taskName: string,
  backend: string | undefined,
  options: CallOptions,
  work: (signal: AbortSignal | undefined, deadline: CallDeadline | undefined) => T | PromiseLike<T>,
): Promise<T> {
  if (options.signal === undefined && options.timeout === undefined) {
    try {
      return Promise.resolve(work(undefined, undefined));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise<T>((resolve, reject) => {
    const deadline = new CallDeadline(taskName, backend, options, reject);
    if (deadline.expired !== undefined) return;
    let result: T | PromiseLike<T>;
    try {
      result = work(deadline.signal, deadline);
    } catch (error) {
      deadline.release();
      reject(error);
      return;
    }
    Promise.resolve(result).then(
      (value) => {
        deadline.release();
        resolve(value);
      },
      (error: unknown) => {
        deadline.release();
        reject(error);
      },
    );
  });
}
