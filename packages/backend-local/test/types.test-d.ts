// Type tests, run by `tsc --noEmit` (the package's typecheck): the router infers from createLocalBackend.
import { createHybridCompute, defineTask, type ComputeBackendInterface } from '@hybridcompute/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createLocalBackend, LocalBackend } from '../src/index.js';

const double = defineTask('double', (n: number) => n * 2);
const whoami = defineTask('whoami', () => 'local');
const tasksModule = { double, whoami, helper: (text: string) => text };

describe('createLocalBackend', () => {
  it('types the router by a record or module namespace of tasks, ignoring helpers', () => {
    const compute = createHybridCompute({ local: createLocalBackend({ tasks: tasksModule }) });
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('whoami')).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error: a helper is not a task
    void compute.runTask('helper', 'x');
    // @ts-expect-error: double takes a number
    void compute.runTask('double', 'x');
    // @ts-expect-error: no backend is named 'worker'
    void compute.runTask('double', 1, 'worker');
  });

  it('types the router by an array literal of tasks', () => {
    const compute = createHybridCompute({ local: createLocalBackend({ tasks: [double, whoami] }) });
    expectTypeOf(compute.runTask('double', 21, { strategy: 'local' })).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: 'tripple' is not a task
    void compute.runTask('tripple', 21);
  });

  it('without tasks makes a backend a router takes any name for', () => {
    const compute = createHybridCompute({ local: createLocalBackend() });
    expectTypeOf(compute.runTask<number, number>('registered-later', 1)).toEqualTypeOf<Promise<number>>();
  });

  it('still returns a LocalBackend and a ComputeBackendInterface', () => {
    const local = createLocalBackend({ tasks: [double] });
    expectTypeOf(local).toExtend<LocalBackend>();
    expectTypeOf(local).toExtend<ComputeBackendInterface>();
    expectTypeOf(local.registerTask(whoami)).toExtend<LocalBackend>();
  });
});
