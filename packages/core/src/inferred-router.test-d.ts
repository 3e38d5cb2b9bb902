import { describe, expectTypeOf, it } from 'vitest';
import { createHybridCompute, HybridCompute } from './create-hybrid-compute.js';
import { defineTask } from './define-task.js';
import type { InferredTasks, TaskTypeConflicts } from './inferred-tasks.js';
import type { BackendTasksFrom, NamedTasks, TypedBackend } from './typed-backend.js';
import type { HybridComputeRunTask } from './hybrid-compute-types.js';
import type { ComputeBackendInterface, ComputeBackendLike, MergedTasks, TaskCollection, TaskNameOf } from './types.js';

// Structural stand-ins for the backend packages' factories (each package tests its real one):
// a backend typed by the tasks it was given, as createLocalBackend({ tasks }) returns.
declare function typedBackend<const Tasks>(tasks: Tasks): TypedBackend<ComputeBackendLike, Tasks>;
declare function namedBackend<const Names extends readonly string[]>(names: Names): TypedBackend<ComputeBackendLike, NamedTasks<Names[number]>>;

const double = defineTask('double', (n: number) => n * 2);
const greet = defineTask('greet', async (input: { name: string }) => `hello, ${input.name}`);
const whoami = defineTask('whoami', () => ({ pid: 1 }));
const optional = defineTask('optional', (n?: number) => n ?? 0);
const resize = defineTask('resize', (image: Uint8Array) => image.length);
const plain: ComputeBackendLike = { canRun: () => true, runTask: async () => null };

describe('a router that infers its tasks from its backends', () => {
  const compute = createHybridCompute({ local: typedBackend({ double, greet }), worker: typedBackend([resize] as const) });

  it('knows every backend\'s task names, inputs and outputs without a type argument', () => {
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('greet', { name: 'Ada' })).toEqualTypeOf<Promise<string>>();
    expectTypeOf(compute.runTask('resize', new Uint8Array(1), 'worker')).toEqualTypeOf<Promise<number>>();
    expectTypeOf<TaskNameOf<InferredTasks<{ local: ReturnType<typeof typedBackend<{ double: typeof double; greet: typeof greet }>>; worker: ReturnType<typeof typedBackend<readonly [typeof resize]>> }>>>().toEqualTypeOf<'double' | 'greet' | 'resize'>();
  });

  it('refuses a wrong name or input', () => {
    // @ts-expect-error: 'tripple' is no task of any backend
    void compute.runTask('tripple', 21);
    // @ts-expect-error: double takes a number
    void compute.runTask('double', '21');
    // @ts-expect-error: double needs its input
    void compute.runTask('double');
  });

  it("takes only 'auto' and its backends' names as the strategy, in both forms", () => {
    expectTypeOf(compute.runTask('double', 1, 'auto')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('double', 1, { strategy: 'local', timeout: 5 })).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: a misspelt backend
    void compute.runTask('double', 1, 'lcoal');
    // @ts-expect-error: no backend is named 'remote'
    void compute.runTask('double', 1, { strategy: 'remote' });
    expectTypeOf(compute.backendNames).toEqualTypeOf<readonly ('local' | 'worker')[]>();
  });

  it("checks the names in options.order", () => {
    createHybridCompute({ local: typedBackend({ double }), worker: typedBackend({ resize }) }, { order: ['local'] });
    // @ts-expect-error: no backend is named 'remote'
    createHybridCompute({ local: typedBackend({ double }) }, { order: ['remote'] });
  });

  it('is the same through new HybridCompute', () => {
    const constructed = new HybridCompute({ local: typedBackend({ double }) });
    expectTypeOf(constructed.runTask('double', 2, 'local')).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: 'greet' is not a task of this router
    void constructed.runTask('greet', { name: 'Ada' });
    // @ts-expect-error: no backend is named 'worker'
    void constructed.runTask('double', 2, 'worker');
  });

  it('leaves a backend whose value is undefined out of the strategy', () => {
    const maybeWorker = undefined;
    const withUndefined = createHybridCompute({ local: typedBackend({ double }), worker: maybeWorker });
    expectTypeOf(withUndefined.backendNames).toEqualTypeOf<readonly 'local'[]>();
  });

  it('has a runTask that fits the types written by hand for its tasks', () => {
    const local = createHybridCompute({ local: typedBackend({ double, whoami }) });
    const runTask: HybridComputeRunTask<{ double: typeof double; whoami: typeof whoami }, 'local'> = local.runTask;
    expectTypeOf(runTask('whoami')).toEqualTypeOf<Promise<{ pid: number }>>();
    expectTypeOf(local).toEqualTypeOf<HybridCompute<MergedTasks<{ readonly double: typeof double; readonly whoami: typeof whoami }>, 'local'>>();
  });

  it('stays a ComputeBackendInterface', () => {
    expectTypeOf(compute).toExtend<ComputeBackendInterface>();
    expectTypeOf(compute).toExtend<ComputeBackendLike>();
  });
});

describe('tasks that take no input', () => {
  const compute = createHybridCompute({ local: typedBackend({ double, whoami, optional }) });

  it('may be called with the input left out, or undefined before options', () => {
    expectTypeOf(compute.runTask('whoami')).toEqualTypeOf<Promise<{ pid: number }>>();
    expectTypeOf(compute.runTask('whoami', undefined, { timeout: 5 })).toEqualTypeOf<Promise<{ pid: number }>>();
    expectTypeOf(compute.runTask('whoami', undefined, 'local')).toEqualTypeOf<Promise<{ pid: number }>>();
    expectTypeOf(compute.runTask('optional')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('optional', 3)).toEqualTypeOf<Promise<number>>();
  });

  it('still take no options in the place of the input', () => {
    // @ts-expect-error: options in the input's place
    void compute.runTask('whoami', { timeout: 5 });
    // @ts-expect-error: a strategy in the input's place
    void compute.runTask('whoami', 'local');
  });

  it('do not let tasks that take an input leave it out', () => {
    // @ts-expect-error: double needs its input
    void compute.runTask('double');
    // @ts-expect-error: double needs its input, undefined is none
    void compute.runTask('double', undefined, 'local');
  });
});

describe('backends known by task name only', () => {
  it('check the names and leave inputs and outputs unknown', () => {
    const compute = createHybridCompute({ remote: namedBackend(['resize', 'hash']) });
    expectTypeOf(compute.runTask('hash', 'text')).toEqualTypeOf<Promise<unknown>>();
    expectTypeOf(compute.runTask('hash')).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error: not a name the backend was given
    void compute.runTask('hsah', 'text');
  });

  it('give way to another backend that has the definition', () => {
    const compute = createHybridCompute({ local: typedBackend({ resize }), remote: namedBackend(['resize', 'hash']) });
    expectTypeOf(compute.runTask('resize', new Uint8Array(1), 'remote')).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: resize takes a Uint8Array, whichever backend runs it
    void compute.runTask('resize', 'text');
    expectTypeOf<TaskTypeConflicts<{ local: ReturnType<typeof typedBackend<{ resize: typeof resize }>>; remote: ReturnType<typeof namedBackend<['resize']>> }>>().toBeNever();
  });
});

describe('a task several backends offer', () => {
  it('compiles when the definitions agree, even as different objects', () => {
    const sameAgain = defineTask('double', (n: number) => n + n);
    const compute = createHybridCompute({ local: typedBackend({ double }), worker: typedBackend({ double: sameAgain }) });
    expectTypeOf(compute.runTask('double', 2)).toEqualTypeOf<Promise<number>>();
  });

  it('is a compile error naming the task when the types disagree', () => {
    const otherDouble = defineTask('double', (text: string) => text + text);
    const local = typedBackend({ double, greet });
    const worker = typedBackend({ double: otherDouble, greet });
    expectTypeOf<TaskTypeConflicts<{ local: typeof local; worker: typeof worker }>>().toEqualTypeOf<'double'>();
    // @ts-expect-error: task 'double' has different input or output types on different backends
    createHybridCompute({ local, worker });
    // @ts-expect-error: the same through the constructor
    new HybridCompute({ local, worker });
    // The explicit form checks nothing across backends, as before inference.
    const explicit = createHybridCompute<{ double: typeof double }>({ local, worker });
    expectTypeOf(explicit.runTask('double', 2)).toEqualTypeOf<Promise<number>>();
  });

  it('disagrees on outputs too, and on a wider input', () => {
    const stringOut = defineTask('double', (n: number) => String(n * 2));
    const wider = defineTask('double', (n: number | string) => Number(n) * 2);
    expectTypeOf<TaskTypeConflicts<{ a: TypedBackend<ComputeBackendLike, [typeof double]>; b: TypedBackend<ComputeBackendLike, [typeof stringOut]> }>>().toEqualTypeOf<'double'>();
    expectTypeOf<TaskTypeConflicts<{ a: TypedBackend<ComputeBackendLike, [typeof double]>; b: TypedBackend<ComputeBackendLike, [typeof wider]> }>>().toEqualTypeOf<'double'>();
  });
});

describe('nested routers', () => {
  it('infer from the inner router, itself inferred', () => {
    const inner = createHybridCompute({ local: typedBackend({ double }), worker: typedBackend({ resize }) });
    const outer = createHybridCompute({ inner, edge: typedBackend({ greet }) });
    expectTypeOf(outer.runTask('double', 1, 'inner')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(outer.runTask('greet', { name: 'Ada' }, 'edge')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(outer.runTask('resize', new Uint8Array(1))).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: the inner router's backends are not the outer router's
    void outer.runTask('double', 1, 'local');
  });

  it('infer from an inner router typed explicitly', () => {
    const inner = createHybridCompute<{ double: typeof double }>({ local: plain });
    const outer = createHybridCompute({ inner });
    expectTypeOf(outer.runTask('double', 1)).toEqualTypeOf<Promise<number>>();
  });

  it('stay untyped around an untyped inner router', () => {
    const outer = createHybridCompute({ inner: createHybridCompute({ local: plain }), local: typedBackend({ double }) });
    expectTypeOf(outer.runTask<string, string>('anything', 'x', 'inner')).toEqualTypeOf<Promise<string>>();
  });
});

describe('untyped backends', () => {
  it('make the router take any task name, as before inference, with the strategy still checked', () => {
    const compute = createHybridCompute({ local: typedBackend({ double }), custom: plain });
    expectTypeOf<InferredTasks<{ local: ReturnType<typeof typedBackend<{ double: typeof double }>>; custom: typeof plain }>>().toBeUnknown();
    expectTypeOf(compute.runTask<number, number>('anything', 1, 'custom')).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: no backend is named 'remote'
    void compute.runTask('anything', 1, 'remote');
  });

  it('include object literals, which fit as they always did', () => {
    const compute = createHybridCompute({ local: { canRun: () => true, runTask: async (_name: string, input: number) => input } });
    expectTypeOf(compute.runTask<number, number>('whatever', 1)).toEqualTypeOf<Promise<number>>();
  });

  it('and a router over backends typed as a plain record takes any name and strategy', () => {
    const backends: Record<string, ComputeBackendLike> = { local: plain };
    const compute = createHybridCompute(backends);
    expectTypeOf(compute.runTask<number, number>('whatever', 1, 'anything')).toEqualTypeOf<Promise<number>>();
  });

  it('and a router with no backends', () => {
    expectTypeOf(createHybridCompute({}).runTask<number, number>('whatever', 1)).toEqualTypeOf<Promise<number>>();
  });
});

describe('BackendTasksFrom, what a backend factory gives its backend', () => {
  it('takes the type argument over the tasks option', () => {
    expectTypeOf<BackendTasksFrom<{ double: typeof double }, readonly ['x']>>().toEqualTypeOf<{ double: typeof double }>();
  });

  it('types definitions by themselves, literal names as NamedTasks, and nothing as unknown', () => {
    expectTypeOf<BackendTasksFrom<never, { double: typeof double }>>().toEqualTypeOf<{ double: typeof double }>();
    expectTypeOf<BackendTasksFrom<never, readonly ['a', 'b']>>().toEqualTypeOf<NamedTasks<'a' | 'b'>>();
    expectTypeOf<BackendTasksFrom<never, undefined>>().toBeUnknown();
    expectTypeOf<BackendTasksFrom<never, string[]>>().toBeUnknown();
    expectTypeOf<BackendTasksFrom<never, readonly string[] | TaskCollection | undefined>>().toBeUnknown();
  });
});
