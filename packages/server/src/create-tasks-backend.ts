import { collectTasks, runTaskDefinition, taskNotFoundError, type ComputeBackendLike, type RunTaskOptions, type TaskCollection } from '@hybridcompute/core';

/** A backend over task definitions run on the server's own thread, with the list `GET /tasks` reports. */
export interface TasksBackend extends ComputeBackendLike {
  readonly taskNames: string[];
  /** Runs a task whose signal is made only if it reads `ctx.signal` (a function), or the given one. */
  runLazily(taskName: string, input: unknown, signal: AbortSignal | (() => AbortSignal)): Promise<unknown>;
}

/**
 * Runs `tasks` in-process for a server given `tasks` rather than a `backend`.
 * The server depends on core only, so it uses core's shared runner instead of
 * the local backend package.
 */
export function createTasksBackend(tasks: TaskCollection, name = 'server'): TasksBackend {
  const byName = collectTasks(tasks);
  const taskNames = [...byName.keys()];
  const run = (taskName: string, input: unknown, signal: AbortSignal | (() => AbortSignal) | null | undefined): Promise<unknown> => {
    const task = byName.get(taskName);
    if (task === undefined) return Promise.reject(taskNotFoundError(taskName, name, taskNames));
    return runTaskDefinition(task, input, signal, name);
  };
  return {
    taskNames,
    canRun: (taskName) => byName.has(taskName),
    runTask: (taskName: string, input: unknown, options?: RunTaskOptions) => run(taskName, input, options?.signal),
    runLazily: run,
  };
}
