import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineTask } from './define-task.js';
import type { TaskInput, TaskOutput } from './types.js';

describe('defineTask with schemas infers types from them', () => {
  it('types run’s input from the schema, and the caller’s input from what the schema accepts', () => {
    const task = defineTask('area', { input: z.object({ width: z.number(), label: z.string().default('x') }) }, (input) => {
      expectTypeOf(input).toEqualTypeOf<{ width: number; label: string }>();
      return input.width;
    });
    expectTypeOf<TaskInput<typeof task>>().toEqualTypeOf<{ width: number; label?: string | undefined }>();
    expectTypeOf<TaskOutput<typeof task>>().toEqualTypeOf<number>();
    expectTypeOf(task.name).toEqualTypeOf<'area'>();
  });

  it('works with valibot and arktype, and an output schema types the output', () => {
    const fromValibot = defineTask('a', { input: v.string() }, (input) => {
      expectTypeOf(input).toEqualTypeOf<string>();
      return input.length;
    });
    const fromArktype = defineTask('b', { input: type({ n: 'number' }), output: type('string') }, ({ n }) => String(n));
    expectTypeOf<TaskOutput<typeof fromValibot>>().toEqualTypeOf<number>();
    expectTypeOf<TaskInput<typeof fromArktype>>().toEqualTypeOf<{ n: number }>();
    expectTypeOf<TaskOutput<typeof fromArktype>>().toEqualTypeOf<string>();
  });

  it('refuses a run that uses the input wrongly', () => {
    // @ts-expect-error: width is a number
    defineTask('c', { input: z.object({ width: z.number() }) }, (input) => input.width.toUpperCase());
  });
});
