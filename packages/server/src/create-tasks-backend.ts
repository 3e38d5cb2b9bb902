import {
  collectTasks,
  lazyStream,
  runTaskDefinition,
  streamTaskDefinition,
  taskNotFoundError,
  type CallOptions,
  type ComputeBackendLike,
  type RunTaskOptions,
  type TaskCollection,
} from '@hybridcompute/core';

/** A backend over task definitions run on the server's own thread, with the list `GET /tasks` reports. */
export interface TasksBackend extends ComputeBackendLike {
  readonly taskNames: string[];
  /** Runs a task whose signal is made only if it reads `ctx.signal` (a function), or the given one. */
  runLazily(taskName: string, input: unknown, signal: AbortSignal | (() => AbortSignal), onProgress?: (value: unknown) => void): Promise<unknown>;
  /** Streams a task run pull by pull on this thread (core's `streamTaskDefinition`), with options already checked. */
  streamTask(taskName: string, input: unknown, options: CallOptions): AsyncIterable<unknown>;
}

/**
 * Runs `tasks` in-process for a server given `tasks` rather than a `backend`.
 * The server depends on core only, so it uses core's shared runner instead of
 * the local backend package.
 */
export function createTasksBackend(tasks: TaskCollection, name = 'server'): TasksBackend {
  const byName = collectTasks(tasks);
  const taskNames = [...byName.keys()];
  const run = (taskName: string, input: unknown, signal: AbortSignal | (() => AbortSignal) | null | undefined, onProgress?: (value: unknown) => void): Promise<unknown> => {
    const task = byName.get(taskName);
    if (task === undefined) return Promise.reject(taskNotFoundError(taskName, name, taskNames));
    return runTaskDefinition(task, input, signal, name, onProgress);
  };
  return {
    taskNames,
    canRun: (taskName) => byName.has(taskName),
    runTask: (taskName: string, input: unknown, options?: RunTaskOptions) => run(taskName, input, options?.signal, options?.onProgress),
    runLazily: run,
    streamTask: (taskName: string, input: unknown, options: CallOptions) =>
      lazyStream(() => {
        const task = byName.get(taskName);
        if (task === undefined) throw taskNotFoundError(taskName, name, taskNames);
        return streamTaskDefinition(task, input, options, name);
      }),
  };
}
