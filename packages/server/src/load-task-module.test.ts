import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTaskModule, taskModuleUrl } from './load-task-module.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

describe('loadTaskModule', () => {
  it('collects named exports and a default record, ignoring helpers', async () => {
    const tasks = await loadTaskModule('./tasks.mjs', fixtures);
    expect([...tasks.keys()].sort()).toEqual(['double', 'greet']);
  });

  it('takes a bare file name that exists relative to cwd as that file, and anything else as a package name', async () => {
    const tasks = await loadTaskModule('tasks.mjs', fixtures);
    expect([...tasks.keys()].sort()).toEqual(['double', 'greet']);
    expect(taskModuleUrl('tasks.mjs', fixtures)).toBe(pathToFileURL(join(fixtures, 'tasks.mjs')).href);
    expect(taskModuleUrl('some-tasks-package', fixtures)).toBe('some-tasks-package');
    expect(taskModuleUrl('@scope/tasks/server.js', fixtures)).toBe('@scope/tasks/server.js');
  });

  it('refuses a module without tasks and a module that does not exist', async () => {
    await expect(loadTaskModule('./not-tasks.mjs', fixtures)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(loadTaskModule('./missing.mjs', fixtures)).rejects.toThrow();
    await expect(loadTaskModule('')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
