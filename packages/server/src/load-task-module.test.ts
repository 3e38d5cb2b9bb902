import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTaskModule } from './load-task-module.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

describe('loadTaskModule', () => {
  it('collects named exports and a default record, ignoring helpers', async () => {
    const tasks = await loadTaskModule('./tasks.mjs', fixtures);
    expect([...tasks.keys()].sort()).toEqual(['double', 'greet']);
  });

  it('refuses a module without tasks and a module that does not exist', async () => {
    await expect(loadTaskModule('./not-tasks.mjs', fixtures)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(loadTaskModule('./missing.mjs', fixtures)).rejects.toThrow();
    await expect(loadTaskModule('')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
