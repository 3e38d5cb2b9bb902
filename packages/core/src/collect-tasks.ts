import { invalidArgumentError } from './invalid-argument-error.js';
import type { AnyComputeTask, TaskCollection } from './types.js';

/**
 * Turns any {@link TaskCollection} (array, record or module namespace) into a
 * map from task name to definition. Backends and servers share it so that the
 * same tasks module registers the same way everywhere.
 *
 * @param into - a map to add to instead of a new one; a task whose name it
 *   already holds for a different task is refused.
 * @throws TypeError (code `INVALID_REQUEST`) for an array entry that is not a
 * task, a collection that is not an object, or two tasks with one name.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 * const byName = collectTasks(tasks); // Map { 'double' => {...}, ... }
 * ```
 */
export function collectTasks(tasks: TaskCollection, into = new Map<string, AnyComputeTask>()): Map<string, AnyComputeTask> {
  if (typeof tasks !== 'object' || tasks === null) {
    throw invalidArgumentError(`tasks must be an array, a record or a module namespace of task definitions, got ${tasks === null ? 'null' : typeof tasks}`);
  }
  const byName = into;
  if (Array.isArray(tasks)) {
    tasks.forEach((task: unknown, index) => {
      if (!isComputeTask(task)) throw invalidArgumentError(`tasks[${index}] is not a task definition (expected { name, run }; use defineTask)`);
      addTask(byName, task);
    });
    return byName;
  }
  for (const value of Object.values(tasks)) {
    // Module namespaces export helpers beside tasks: only definitions count.
    if (isComputeTask(value)) addTask(byName, value);
  }
  return byName;
}

/**
 * Whether `value` has the shape of a task definition: a non-empty string `name` and a `run` function.
 *
 * @example
 * ```ts
 * import * as tasks from './tasks.js';
 *
 * const names = Object.values(tasks).filter(isComputeTask).map((task) => task.name); // ['double', 'greet']
 * ```
 */
export function isComputeTask(value: unknown): value is AnyComputeTask {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { name?: unknown; run?: unknown };
  return typeof candidate.name === 'string' && candidate.name.length > 0 && typeof candidate.run === 'function';
}

function addTask(byName: Map<string, AnyComputeTask>, task: AnyComputeTask): void {
  const existing = byName.get(task.name);
  if (existing !== undefined && existing !== task) {
    throw invalidArgumentError(`two different tasks are named '${task.name}'`);
  }
  byName.set(task.name, task);
}
