// Type tests, run by `tsc --noEmit` (the package's typecheck): the router infers from createBullmqBackend.
import {
  createHybridCompute,
  defineTask,
  type ComputeBackendInterface,
  type ComputeBackendLike,
  type TaskCollection,
  type TypedBackend,
} from '@hybridcompute/core';
import { describe, expectTypeOf, it } from 'vitest';
import { BullmqBackend, createBullmqBackend } from '../src/index.js';

const charge = defineTask('charge', async (order: { orderId: number; cents: number }) => ({ receipt: `r-${order.orderId}` }));
const report = defineTask('report', () => 'done');
type WorkerTasks = { charge: typeof charge; report: typeof report };
const connection = 'redis://127.0.0.1:6379';
// A stand-in for createLocalBackend({ tasks }): a backend package never imports another.
declare function createLocalBackend<const Tasks extends TaskCollection>(options: { tasks: Tasks }): TypedBackend<ComputeBackendLike, Tasks>;

describe('createBullmqBackend', () => {
  it('types the router by the task definitions given as tasks', () => {
    const compute = createHybridCompute({ queued: createBullmqBackend({ connection, queue: 'compute', tasks: { charge, report } }) });
    expectTypeOf(compute.runTask('charge', { orderId: 1, cents: 100 })).toEqualTypeOf<Promise<{ receipt: string }>>();
    expectTypeOf(compute.runTask('report', undefined, 'queued')).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error: charge takes { orderId, cents }
    void compute.runTask('charge', { orderId: 1 });
    // @ts-expect-error: no backend is named 'queue'
    void compute.runTask('report', undefined, 'queue');
  });

  it('types the router by a type argument', () => {
    const compute = createHybridCompute({ queued: createBullmqBackend<WorkerTasks>({ connection, queue: 'compute' }) });
    expectTypeOf(compute.runTask('report')).toEqualTypeOf<Promise<string>>();
  });

  it('given names only, checks them and leaves inputs and outputs unknown', () => {
    const compute = createHybridCompute({ queued: createBullmqBackend({ connection, queue: 'compute', tasks: ['charge'] }) });
    expectTypeOf(compute.runTask('charge', { anything: true })).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error: not a name the backend was given
    void compute.runTask('report');
  });

  it('given nothing, makes a router that takes any task name', () => {
    const compute = createHybridCompute({ queued: createBullmqBackend({ connection, queue: 'compute' }) });
    expectTypeOf(compute.runTask<number, number>('anything', 1)).toEqualTypeOf<Promise<number>>();
  });

  it('mixes with a local backend, and refuses one whose types disagree', () => {
    const queued = createBullmqBackend({ connection, queue: 'compute', tasks: [charge] });
    const compute = createHybridCompute({ local: createLocalBackend({ tasks: [report] }), queued });
    expectTypeOf(compute.runTask('report', undefined, 'local')).toEqualTypeOf<Promise<string>>();
    expectTypeOf(compute.runTask('charge', { orderId: 2, cents: 5 }, { strategy: 'queued' })).toEqualTypeOf<Promise<{ receipt: string }>>();
    const otherCharge = defineTask('charge', (cents: number) => cents);
    // @ts-expect-error: task 'charge' has different input or output types on different backends
    createHybridCompute({ local: createLocalBackend({ tasks: [otherCharge] }), queued });
  });

  it('still returns a BullmqBackend and a ComputeBackendInterface', () => {
    const queued = createBullmqBackend({ connection, queue: 'compute', tasks: [charge] });
    expectTypeOf(queued).toExtend<BullmqBackend>();
    expectTypeOf(queued).toExtend<ComputeBackendInterface>();
  });
});
