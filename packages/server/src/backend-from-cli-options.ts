import { messageOf, type AnyComputeTask, type ComputeBackendLike } from '@hybridcompute/core';
import { loadTaskModule, taskModuleUrl } from './load-task-module.js';
import type { CliOptions } from './parse-cli-args.js';
import { typescriptLoaderUrl } from './typescript-loader.js';

/**
 * What the CLI serves (the module's `tasks` on the server's own thread, or a
 * worker pool as `backend`: exactly one is set), the tasks it lists and how to release it.
 */
export interface CliBackend {
  /** Set without `--workers`: handed to the server as `tasks`, so it takes its fast path (no AbortController per call unless a task reads its signal). */
  tasks: AnyComputeTask[] | undefined;
  /** Set with `--workers`: the pool. */
  backend: ComputeBackendLike | undefined;
  taskNames: string[];
  /** Where calls run, for the line the CLI prints: `'this thread'` or `'2 worker threads'`. */
  where: string;
  /** Releases what the backend holds (the pool's threads); call it after the server has drained. */
  close(): Promise<void>;
}

const workerPackage = '@hybridcompute/backend-worker';

/**
 * Turns the CLI's options into the backend the server serves: the module's
 * tasks on the server's own thread or, with `--workers n`, on a pool of n
 * worker threads that each load the module (resolved once it is ready).
 *
 * @throws Error with a message for the user (the CLI prints it and exits 1)
 *   when the module cannot be loaded or holds no tasks, or when `--workers`
 *   is given and `@hybridcompute/backend-worker` is not installed.
 */
export async function backendFromCliOptions(options: CliOptions): Promise<CliBackend> {
  if (options.workers === undefined) {
    let tasks;
    try {
      tasks = await loadTaskModule(options.tasksModule);
    } catch (error) {
      throw new Error(`cannot serve ${options.tasksModule}: ${messageOf(error)}`, { cause: error });
    }
    return { tasks: [...tasks.values()], backend: undefined, taskNames: [...tasks.keys()], where: 'this thread', close: () => Promise.resolve() };
  }
  const { createWorkerBackend } = await importWorkerPackage();
  const pool = createWorkerBackend({
    url: new URL('./cli-worker.js', import.meta.url),
    size: options.workers,
    name: 'server',
    workerOptions: { workerData: { tasksModule: taskModuleUrl(options.tasksModule), typescriptLoader: typescriptLoaderUrl() } },
  });
  try {
    await pool.ready();
  } catch (error) {
    await pool.close();
    // ready() wraps the worker's own error (the module's) as its cause.
    const reason = (error as { cause?: unknown }).cause ?? error;
    throw new Error(`cannot serve ${options.tasksModule} on worker threads: ${messageOf(reason)}`, { cause: error });
  }
  const threads = `${options.workers} worker thread${options.workers === 1 ? '' : 's'}`;
  return { tasks: undefined, backend: pool, taskNames: pool.taskNames, where: threads, close: () => pool.close() };
}

// An optional peer: only `--workers` needs it, so it is imported only then.
async function importWorkerPackage(): Promise<typeof import('@hybridcompute/backend-worker')> {
  try {
    return await import('@hybridcompute/backend-worker');
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && messageOf(error).includes(`'${workerPackage}'`);
    throw new Error(
      missing
        ? `--workers needs ${workerPackage}, which is not installed; install it beside @hybridcompute/server (npm install ${workerPackage})`
        : `--workers cannot load ${workerPackage}: ${messageOf(error)}`,
      { cause: error },
    );
  }
}
