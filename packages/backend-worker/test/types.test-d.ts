// Type tests, run by `tsc --noEmit` (the package's typecheck): the router infers from createWorkerBackend.
import {
  createHybridCompute,
  defineTask,
  type ComputeBackendInterface,
  type ComputeBackendLike,
  type TaskCollection,
  type TypedBackend,
} from '@hybridcompute/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createWorkerBackend, WorkerBackend } from '../src/index.js';
import { createWorkerBackend as createNodeWorkerBackend } from '../src/node/index.js';

const double = defineTask('double', (n: number) => n * 2);
const resize = defineTask('resize', async (image: Uint8Array) => image.subarray(0, 1));
const whoami = defineTask('whoami', () => ({ threadId: 1 }));
// What `import type * as tasks from './tasks.js'` gives: the module's type, no code in the main thread.
type TasksModule = { double: typeof double; resize: typeof resize; whoami: typeof whoami };
const url = new URL('file:///tasks.worker.js');
// A stand-in for createLocalBackend({ tasks }): a backend package never imports another.
declare function createLocalBackend<const Tasks extends TaskCollection>(options: { tasks: Tasks }): TypedBackend<ComputeBackendLike, Tasks>;

const tiles = defineTask('tiles', async function* (rows: number) {
  for (let y = 0; y < rows; y++) yield { y, label: `row ${y}` };
  return rows;
});

describe('createWorkerBackend', () => {
  it('types streams through the router by the generator: chunks, input and return value', () => {
    const compute = createHybridCompute({ worker: createWorkerBackend({ url, tasks: [double, tiles] }) });
    expectTypeOf(compute.streamTask('tiles', 4)).toEqualTypeOf<AsyncIterable<{ y: number; label: string }>>();
    expectTypeOf(compute.runTask('tiles', 4)).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: tiles takes a number of rows
    void compute.streamTask('tiles', 'four');
    // @ts-expect-error: no such task
    void compute.streamTask('frames', 4);
    expectTypeOf(createWorkerBackend({ url }).streamTask).returns.toEqualTypeOf<AsyncIterable<unknown>>();
  });

  it('types the router by the task definitions given as tasks', () => {
    const compute = createHybridCompute({ worker: createWorkerBackend({ url, tasks: [double, resize] }) });
    expectTypeOf(compute.runTask('resize', new Uint8Array(4))).toEqualTypeOf<Promise<Uint8Array>>();
    // @ts-expect-error: resize takes a Uint8Array
    void compute.runTask('resize', 'image.png');
    // @ts-expect-error: 'whoami' was not given
    void compute.runTask('whoami');
  });

  it('types the router by a type argument, for a worker given no definitions', () => {
    const compute = createHybridCompute({ worker: createWorkerBackend<TasksModule>({ url, size: 2 }) });
    expectTypeOf(compute.runTask('double', 21, 'worker')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('whoami')).toEqualTypeOf<Promise<{ threadId: number }>>();
    // @ts-expect-error: no backend is named 'local'
    void compute.runTask('double', 21, 'local');
  });

  it('with a type argument still takes names as tasks, for canRun before the handshake', () => {
    const worker = createWorkerBackend<TasksModule>({ url, tasks: ['double'] });
    expectTypeOf(createHybridCompute({ worker }).runTask('double', 1)).toEqualTypeOf<Promise<number>>();
  });

  it('given names only, checks the names and leaves inputs and outputs unknown', () => {
    const compute = createHybridCompute({ worker: createWorkerBackend({ url, tasks: ['double', 'resize'] }) });
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error: not a name the worker was given
    void compute.runTask('dubble', 21);
  });

  it('given nothing, makes a router that takes any task name', () => {
    const compute = createHybridCompute({ worker: createWorkerBackend({ url }) });
    expectTypeOf(compute.runTask<number, number>('anything', 1, 'worker')).toEqualTypeOf<Promise<number>>();
  });

  it('mixes with a local backend, the definitions types winning over names', () => {
    const compute = createHybridCompute({
      local: createLocalBackend({ tasks: [double, whoami] }),
      worker: createWorkerBackend({ url, tasks: ['double', 'whoami'] }),
    });
    expectTypeOf(compute.runTask('double', 2, { strategy: 'worker' })).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('whoami', undefined, 'local')).toEqualTypeOf<Promise<{ threadId: number }>>();
    // @ts-expect-error: no backend is named 'remote'
    void compute.runTask('double', 2, { strategy: 'remote' });
  });

  it('refuses a worker whose task types disagree with the local backend', () => {
    const local = createLocalBackend({ tasks: [double] });
    const worker = createWorkerBackend({ url, tasks: [defineTask('double', (text: string) => text)] });
    // @ts-expect-error: task 'double' has different input or output types on different backends
    createHybridCompute({ local, worker });
  });

  it('is typed the same by the Node build', () => {
    const worker = createNodeWorkerBackend({ url, tasks: [double] });
    expectTypeOf(worker).toExtend<WorkerBackend>();
    expectTypeOf(worker).toExtend<ComputeBackendInterface>();
    expectTypeOf(createHybridCompute({ worker }).runTask('double', 1)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(createHybridCompute({ worker: createNodeWorkerBackend<TasksModule>({ url }) }).runTask('whoami')).toEqualTypeOf<
      Promise<{ threadId: number }>
    >();
  });
});
