import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ComputeError } from './compute-error.js';
import { defineTask } from './define-task.js';
import { runTaskDefinition } from './run-task-definition.js';

const validators = [
  ['zod 4', z.object({ width: z.number().int().positive(), label: z.string().default('none') })],
  ['valibot 1', v.object({ width: v.pipe(v.number(), v.integer(), v.minValue(1)), label: v.optional(v.string(), 'none') })],
  ['arktype 2', type({ width: 'number.integer > 0', label: type('string').default('none') })],
] as const;

describe.each(validators)('defineTask with %s schemas', (_library, schema) => {
  it('hands run what the schema makes of the input', async () => {
    const seen: unknown[] = [];
    const task = defineTask('area', { input: schema }, (input) => {
      seen.push(input);
      return input.width * 2;
    });
    await expect(runTaskDefinition(task, { width: 4 }, undefined, 'local')).resolves.toBe(8);
    expect(seen).toEqual([{ width: 4, label: 'none' }]);
  });

  it('refuses input the schema refuses with INVALID_REQUEST and its issues, and never runs the task', async () => {
    let ran = false;
    const task = defineTask('area', { input: schema }, () => {
      ran = true;
    });
    const error = await runTaskDefinition(task, { width: -3 }, undefined, 'local').then(
      () => undefined,
      (caught: unknown) => caught as ComputeError,
    );
    expect(ran).toBe(false);
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', taskName: 'area', backend: 'local' });
    expect(error?.message).toContain("The input of task 'area' does not match its schema");
    expect(error?.issues?.[0]?.path).toEqual(['width']);
    // The issues cross every boundary with the error.
    const copy = ComputeError.fromJSON(JSON.parse(JSON.stringify(error)));
    expect(copy.code).toBe('INVALID_REQUEST');
    expect(copy.issues).toEqual(error?.issues);
  });
});

describe('defineTask with an output schema', () => {
  it('checks what run returns, sync or async', async () => {
    const sync = defineTask('n', { output: z.number() }, (input: unknown) => input);
    const asyncTask = defineTask('m', { output: z.number() }, async () => 'not a number');
    await expect(runTaskDefinition(sync, 5, undefined, 'local')).resolves.toBe(5);
    await expect(runTaskDefinition(sync, 'x', undefined, 'local')).rejects.toMatchObject({ code: 'INVALID_REQUEST', issues: [{ message: expect.any(String) }] });
    await expect(runTaskDefinition(asyncTask, undefined, undefined, 'local')).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('awaits an async schema', async () => {
    const slowSchema = z.string().refine(async (value) => value.length > 2, 'too short');
    const task = defineTask('name', { input: slowSchema }, (name) => name.toUpperCase());
    await expect(runTaskDefinition(task, 'ada', undefined, 'local')).resolves.toBe('ADA');
    await expect(runTaskDefinition(task, 'a', undefined, 'local')).rejects.toMatchObject({ code: 'INVALID_REQUEST', issues: [{ message: 'too short' }] });
  });

  it('keeps its schemas, and refuses one that is not a Standard Schema', () => {
    const input = z.number();
    expect(defineTask('t', { input }, (n) => n).schemas.input).toBe(input);
    expect(() => defineTask('t', { input: { parse: () => 1 } } as never, () => 1)).toThrow(/Standard Schema v1/);
    expect(() => defineTask('t', { input }, undefined as never)).toThrow(/run must be a function/);
  });
});
