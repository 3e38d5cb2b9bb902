import { ComputeError } from '../compute-error.js';

/**
 * The `TASK_NOT_FOUND` error of a backend asked for a task it does not have,
 * listing the tasks it does have when it knows them.
 *
 * @param known - the backend's task names, or `undefined` when it cannot list them.
 *
 * @example
 * ```ts
 * if (!this.#tasks.has(taskName)) return Promise.reject(taskNotFoundError(taskName, this.name, this.#tasks.keys()));
 * // "Task 'dubble' is not available on backend 'local' (tasks: double, greet)"
 * ```
 */
export function taskNotFoundError(taskName: string, backend: string | undefined, known?: Iterable<string>): ComputeError {
  const where = backend === undefined ? '' : ` on backend '${backend}'`;
  let list = '';
  if (known !== undefined) {
    const names = [...known];
    list = ` (tasks: ${names.length === 0 ? 'none' : names.join(', ')})`;
  }
  return new ComputeError({ code: 'TASK_NOT_FOUND', message: `Task '${taskName}' is not available${where}${list}`, taskName, backend });
}
