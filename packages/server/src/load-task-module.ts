import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { explainImportFailure } from './explain-import-failure.js';
import { collectTasks, invalidArgumentError, isComputeTask, type AnyComputeTask, type TaskCollection } from '@hybridcompute/core';

/**
 * Imports a module of task definitions and returns its tasks by name. The
 * module may export them as named exports (a namespace), as a default export
 * that is an array or a record of definitions, or both.
 *
 * @param specifier - a file path (relative to `cwd`; `tasks.js` too, when that file exists), a `file:` URL or a package name.
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
  const url = taskModuleUrl(specifier, cwd);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw explainImportFailure(error, specifier, url, cwd);
  }
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

/**
 * What `loadTaskModule` imports for `specifier`: a path becomes an absolute
 * `file:` URL, so another thread (or another directory) finds the same file;
 * a URL or a package name stays as it is. A bare name such as `tasks.js` is
 * the file of that name when one exists in `cwd` (as a shell user means it),
 * and a package name otherwise.
 *
 * @example
 * ```ts
 * taskModuleUrl('./tasks.js', '/srv'); // 'file:///srv/tasks.js'
 * taskModuleUrl('tasks.js', '/srv'); // 'file:///srv/tasks.js' if /srv/tasks.js exists, else 'tasks.js'
 * ```
 */
export function taskModuleUrl(specifier: string, cwd = process.cwd()): string {
  const path = resolve(cwd, specifier);
  const isPath = specifier.startsWith('.') || isAbsolute(specifier) || isFile(path);
  return isPath ? pathToFileURL(path).href : specifier;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Missing, or a path through a file (ENOTDIR): not a file, so a package name.
    return false;
  }
}
