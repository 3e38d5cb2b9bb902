import { expect, it } from 'vitest';
import { conformanceTasks } from './conformance-tasks.js';
import type { SuiteContext } from './suite-context.js';

export function describeCanRun({ backend }: SuiteContext): void {
  it('can run every fixture task', () => {
    for (const task of Object.values(conformanceTasks)) expect(backend().canRun(task.name), task.name).toBe(true);
  });

  it('cannot run a task it does not have', () => {
    expect(backend().canRun('no-such-task')).toBe(false);
    expect(backend().canRun('')).toBe(false);
  });
}
