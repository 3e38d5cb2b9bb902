import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { collectTasks, invalidArgumentError, isComputeTask, type AnyComputeTask, type TaskCollection } from '@hybridcompute/core';

/**
 * Imports a module of task definitions and returns its tasks by name. The
 * module may export them as named exports (a namespace), as a default export
 * that is an array or a record of definitions, or both.
 *
 * @param specifier - a file path (relative to `cwd`), a `file:` URL or a package name.
 * @throws Error when the module cannot be imported; TypeError (code `INVALID_REQUEST`)
 *   when it holds no task definitions or two tasks share a name.
 *
 * @example
 * ```ts
 * const tasks = await loadTaskModule('./tasks.js');
 * const server = createComputeServer({ tasks: [...tasks.values()] });
 * ```
 */
export async function loadTaskModule(specifier: string, cwd = process.cwd()): Promise<Map<string, AnyComputeTask>> {
  if (typeof specifier !== 'string' || specifier.length === 0) throw invalidArgumentError('loadTaskModule: expected a module path');
  const looksLikePath = specifier.startsWith('.') || isAbsolute(specifier);
  const url = looksLikePath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  const namespace = (await import(url)) as Record<string, unknown>;
  const tasks = new Map<string, AnyComputeTask>();
  const fallback = namespace['default'];
  if (isComputeTask(fallback)) collectTasks([fallback], tasks);
  else if (typeof fallback === 'object' && fallback !== null) collectTasks(fallback as TaskCollection, tasks);
  collectTasks(namespace, tasks);
  if (tasks.size === 0) {
    throw invalidArgumentError(`${specifier} exports no task definitions (export defineTask(...) results, or an array or record of them as default)`);
  }
  return tasks;
}
