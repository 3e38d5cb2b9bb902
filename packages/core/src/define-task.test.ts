import { describe, expect, it } from 'vitest';
import { collectTasks, isComputeTask } from './collect-tasks.js';
import { defineTask } from './define-task.js';
import { messageOf } from './message-of.js';

describe('defineTask', () => {
  it('returns a frozen { name, run }', async () => {
    const task = defineTask('double', (n: number) => n * 2);
    expect(task.name).toBe('double');
    expect(task.run(4, { signal: new AbortController().signal, progress: async () => {} })).toBe(8);
    expect(Object.isFrozen(task)).toBe(true);
    expect(Object.keys(task)).toEqual(['name', 'run']);
  });

  it.each([
    ['an empty name', '', (): number => 1, "the name must be a non-empty string, got ''"],
    ['a numeric name', 5, (): number => 1, 'the name must be a non-empty string, got number'],
    ['a missing run', 'x', undefined, "defineTask('x'): run must be a function, got undefined"],
    ['a null run', 'x', null, "defineTask('x'): run must be a function, got null"],
  ])('throws a TypeError with code INVALID_REQUEST for %s', (_label, name, run, message) => {
    expect(() => defineTask(name as never, run as never)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
    expect(() => defineTask(name as never, run as never)).toThrow(message);
  });
});

describe('collectTasks', () => {
  const a = defineTask('a', () => 'a');
  const b = defineTask('b', () => 'b');

  it('accepts arrays, records and namespaces, keyed by task name rather than export name', () => {
    expect([...collectTasks([a, b]).keys()]).toEqual(['a', 'b']);
    expect([...collectTasks({ first: a, second: b, notATask: 3, fn: () => 1 }).keys()]).toEqual(['a', 'b']);
  });

  it('allows the same task twice but not two tasks with one name', () => {
    expect(collectTasks({ a, alias: a }).size).toBe(1);
    expect(() => collectTasks([a, defineTask('a', () => 'other')])).toThrow("two different tasks are named 'a'");
  });

  it('refuses a non-object and an array entry that is not a task', () => {
    expect(() => collectTasks(null as never)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => collectTasks('tasks' as never)).toThrow('got string');
    expect(() => collectTasks([a, { name: 'x' }] as never)).toThrow('tasks[1] is not a task definition');
  });

  it('recognises task shapes', () => {
    expect(isComputeTask(a)).toBe(true);
    expect(isComputeTask({ name: 'x', run: () => 1 })).toBe(true);
    for (const value of [null, {}, { name: '', run: () => 1 }, { name: 'x', run: 'no' }, 'a']) expect(isComputeTask(value)).toBe(false);
  });
});

describe('messageOf', () => {
  it("reads an error's message, and anything else as a string", () => {
    expect(messageOf(new RangeError('too big'))).toBe('too big');
    expect(messageOf({ message: 'plain object' })).toBe('plain object');
    expect(messageOf('thrown string')).toBe('thrown string');
    expect(messageOf(42)).toBe('42');
  });

  it('never throws, whatever was thrown', () => {
    expect(messageOf(Object.create(null))).toBe('[object Object]');
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(messageOf(proxy)).toBe('[a value that could not be read]');
  });
});
