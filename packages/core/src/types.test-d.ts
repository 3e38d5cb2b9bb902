import { describe, expectTypeOf, it } from 'vitest';
import { ComputeError } from './compute-error.js';
import { createHybridCompute, HybridCompute } from './create-hybrid-compute.js';
import type { TaskInputFor, TaskOutputFor } from './hybrid-compute-types.js';
import { defineTask } from './define-task.js';
import type { ComputeBackendInterface, ComputeBackendLike, ComputeTaskInterface, TaskNameOf, TaskRegistryOf } from './types.js';

const double = defineTask('double', (n: number) => n * 2);
const now = defineTask('now', () => 1_700_000_000_000);
const greet = defineTask('greet', async (input: { name: string }) => ({ greeting: `hello ${input.name}` }));
const tasksRecord = { double, greet, now, helper: (s: string) => s };
const tasksArray = [double, greet] as const;
const backend = { canRun: () => true, runTask: async () => null };

describe('defineTask', () => {
  it('keeps the literal name and infers input and output', () => {
    expectTypeOf(double).toEqualTypeOf<ComputeTaskInterface<number, number, 'double'>>();
    expectTypeOf(greet.name).toEqualTypeOf<'greet'>();
  });

  it('unwraps the output of an async task', () => {
    expectTypeOf(greet).toEqualTypeOf<ComputeTaskInterface<{ name: string }, { greeting: string }, 'greet'>>();
  });
});

describe('task registries', () => {
  it('keys a record or module namespace by task name and ignores helpers', () => {
    expectTypeOf<TaskNameOf<typeof tasksRecord>>().toEqualTypeOf<'double' | 'greet' | 'now'>();
    expectTypeOf<TaskRegistryOf<typeof tasksRecord>['double']>().toEqualTypeOf<typeof double>();
  });

  it('keys an array by task name', () => {
    expectTypeOf<TaskNameOf<typeof tasksArray>>().toEqualTypeOf<'double' | 'greet'>();
  });

  it('leaves out tasks whose name is a plain string, which would admit any name', () => {
    const someName: string = 'dynamic';
    const loose = {
      double,
      plain: { name: 'plain', run: (n: number) => n },
      annotated: double as ComputeTaskInterface<number, number>,
      dynamic: defineTask(someName, (n: number) => n),
    };
    expectTypeOf<TaskNameOf<typeof loose>>().toEqualTypeOf<'double'>();
    expectTypeOf<TaskNameOf<[typeof double, ComputeTaskInterface<number, number>]>>().toEqualTypeOf<'double'>();
    const compute = createHybridCompute<typeof loose>({ local: backend });
    // @ts-expect-error: 'tripple' is still not a task
    void compute.runTask('tripple', 21);
  });
});

describe('a router typed by its tasks', () => {
  const compute = createHybridCompute<typeof tasksRecord>({ local: backend });

  it("infers runTask('double', 21) as number -> number", () => {
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('greet', { name: 'Ada' }, 'local')).toEqualTypeOf<Promise<{ greeting: string }>>();
    expectTypeOf(compute.runTask('double', 1, { timeout: 10, strategy: 'auto' })).toEqualTypeOf<Promise<number>>();
  });

  it('refuses a wrong task name', () => {
    // @ts-expect-error: 'tripple' is not a task
    void compute.runTask('tripple', 21);
    // @ts-expect-error: a helper export is not a task
    void compute.runTask('helper', 'x');
  });

  it('refuses a wrong input type', () => {
    // @ts-expect-error: double takes a number
    void compute.runTask('double', '21');
    // @ts-expect-error: greet takes { name }
    void compute.runTask('greet', { nom: 'Ada' });
  });

  it('asks a name typed as a union for an input that suits every task it may name', () => {
    expectTypeOf<TaskInputFor<typeof tasksRecord, 'double' | 'greet'>>().toEqualTypeOf<number & { name: string }>();
    expectTypeOf<TaskOutputFor<typeof tasksRecord, 'double' | 'greet'>>().toEqualTypeOf<number | { greeting: string }>();
    const name = Math.random() > 0.5 ? ('double' as const) : ('greet' as const);
    // @ts-expect-error: { name } is no input for double
    void compute.runTask(name, { name: 'Ada' });
  });

  it('types a task whose run takes no input as taking void, so options cannot pass for its input', () => {
    expectTypeOf(now).toEqualTypeOf<ComputeTaskInterface<void, number, 'now'>>();
    expectTypeOf(compute.runTask('now', undefined, 'local')).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: options in the input's place
    void compute.runTask('now', { timeout: 5 });
    // @ts-expect-error: double needs its input
    void compute.runTask('double');
  });

  it('lets wrappers forward a generic task name with TaskInputFor', () => {
    function runWithDeadline<Name extends TaskNameOf<typeof tasksRecord>>(name: Name, input: TaskInputFor<typeof tasksRecord, Name>) {
      return compute.runTask(name, input, { timeout: 5_000 });
    }
    expectTypeOf(runWithDeadline('greet', { name: 'Ada' })).toEqualTypeOf<Promise<{ greeting: string }>>();
    // @ts-expect-error: double takes a number
    void runWithDeadline('double', 'two');
  });

  it('refuses a strategy of the wrong type', () => {
    // @ts-expect-error: a strategy is a string or options
    void compute.runTask('double', 1, 42);
  });

  it('is typed the same way from an array of tasks and from new HybridCompute', () => {
    const fromArray = createHybridCompute<typeof tasksArray>({ local: backend });
    expectTypeOf(fromArray.runTask('double', 2)).toEqualTypeOf<Promise<number>>();
    const constructed = new HybridCompute<typeof tasksRecord>({ local: backend });
    expectTypeOf(constructed.runTask('double', 2)).toEqualTypeOf<Promise<number>>();
  });

  it('nests inside another router, as a ComputeBackendLike, which infers its tasks', () => {
    const outer = createHybridCompute({ inner: compute });
    expectTypeOf(outer.runTask('double', 21, 'inner')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute).toExtend<ComputeBackendLike>();
  });

  it('takes any strategy name, as before inference', () => {
    expectTypeOf(compute.runTask('double', 1, 'anything')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute).toEqualTypeOf<HybridCompute<typeof tasksRecord>>();
  });
});

describe('an untyped router', () => {
  const compute = createHybridCompute({ local: backend });

  it("keeps the seed's runTask<Input, Output> signature", () => {
    expectTypeOf(compute.runTask<number, number>('double', 21)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask<number, number>('double', 21, 'local')).toEqualTypeOf<Promise<number>>();
  });

  it('is a ComputeBackendInterface', () => {
    expectTypeOf(compute).toExtend<ComputeBackendInterface>();
  });
});

describe('ComputeError', () => {
  it('narrows through isInstance', () => {
    const caught: unknown = new Error('x');
    if (ComputeError.isInstance(caught)) {
      expectTypeOf(caught.code).toEqualTypeOf<
        | 'TASK_NOT_FOUND'
        | 'NO_BACKEND'
        | 'TASK_FAILED'
        | 'TASK_TIMEOUT'
        | 'TASK_ABORTED'
        | 'BACKEND_UNAVAILABLE'
        | 'QUEUE_FULL'
        | 'PROTOCOL_ERROR'
        | 'INVALID_REQUEST'
        | 'UNAUTHORIZED'
      >();
    }
  });
});
