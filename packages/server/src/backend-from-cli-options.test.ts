import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendFromCliOptions } from './backend-from-cli-options.js';
import { parseCliArgs } from './parse-cli-args.js';

const tasksModule = fileURLToPath(new URL('../test/fixtures/tasks.mjs', import.meta.url));

describe('backendFromCliOptions', () => {
  it('hands the tasks themselves to the server without --workers, so it takes its fast path', async () => {
    const served = await backendFromCliOptions(parseCliArgs([tasksModule]));
    expect(served.backend).toBeUndefined();
    expect(served.tasks?.map((task) => task.name).sort()).toEqual(served.taskNames.sort());
    expect(served.taskNames.sort()).toEqual(['double', 'greet']);
    expect(served.where).toBe('this thread');
    await served.close();
  });
});
