import { describe, expect, it } from 'vitest';
import { collectTasks, isComputeTask } from './collect-tasks.js';
import { defineTask } from './define-task.js';

const double = defineTask('double', (n: number) => n * 2);
const greet = defineTask('greet', (name: string) => `hello ${name}`);

describe('collectTasks', () => {
  it('takes an array, a record or a module namespace, keyed by task name', () => {
    expect([...collectTasks([double, greet]).keys()]).toEqual(['double', 'greet']);
    expect([...collectTasks({ a: double, b: greet }).keys()]).toEqual(['double', 'greet']);
    const namespace = Object.freeze(Object.assign(Object.create(null), { double, helper: () => 1, version: '1.0' }));
    expect([...collectTasks(namespace).keys()]).toEqual(['double']);
  });

  it('adds to a given map, and takes the same task twice', () => {
    const into = collectTasks([double]);
    expect(collectTasks([greet, double], into)).toBe(into);
    expect([...into.keys()]).toEqual(['double', 'greet']);
  });

  it('refuses two different tasks of one name, an array entry that is not a task, and a non-object', () => {
    const impostor = defineTask('double', (n: number) => n + n);
    expect(() => collectTasks([double, impostor])).toThrow("two different tasks are named 'double'");
    expect(() => collectTasks([double, 5 as never])).toThrow('tasks[1] is not a task definition');
    expect(() => collectTasks(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });
});

describe('isComputeTask', () => {
  it('wants a non-empty string name and a run function', () => {
    expect(isComputeTask(double)).toBe(true);
    expect(isComputeTask({ name: 'x', run: () => 1 })).toBe(true);
    expect([{ name: '', run: () => 1 }, { name: 'x' }, { run: () => 1 }, null, 'double'].map(isComputeTask)).toEqual(Array(5).fill(false));
  });
});
