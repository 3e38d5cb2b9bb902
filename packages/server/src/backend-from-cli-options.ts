import type { AnyComputeTask, ComputeBackendLike } from '@hybridcompute/core';
import { createTasksBackend } from './create-tasks-backend.js';
import type { CliOptions } from './parse-cli-args.js';

/**
 * Turns the CLI's options and the loaded tasks into the backend the server
 * serves. Today that is the tasks on the server's own thread; this is the one
 * place a worker pool option would choose another backend.
 */
export function backendFromCliOptions(_options: CliOptions, tasks: Map<string, AnyComputeTask>): ComputeBackendLike & { taskNames: string[] } {
  return createTasksBackend([...tasks.values()]);
}
