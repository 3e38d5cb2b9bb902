// Type tests, run by `tsc --noEmit` (the package's typecheck): the router infers from createRemoteBackend.
import {
  createHybridCompute,
  defineTask,
  type ComputeBackendInterface,
  type ComputeBackendLike,
  type TaskCollection,
  type TypedBackend,
} from '@hybridcompute/core';
import { describe, expectTypeOf, it } from 'vitest';
import { createRemoteBackend as createBrowserRemoteBackend } from '../src/browser.js';
import { createRemoteBackend, RemoteBackend } from '../src/index.js';

const double = defineTask('double', (n: number) => n * 2);
const whoami = defineTask('whoami', () => ({ host: 'compute-1' }));
const frames = defineTask('frames', async function* (count: number) {
  for (let index = 0; index < count; index++) yield { index };
  return 'done';
});
// What `import type * as tasks from './tasks.js'` gives: the server's tasks, no code in the client.
type ServerTasks = { double: typeof double; whoami: typeof whoami; frames: typeof frames };
const endpoint = 'http://127.0.0.1:8080/compute';
// A stand-in for createLocalBackend({ tasks }): a backend package never imports another.
declare function createLocalBackend<const Tasks extends TaskCollection>(options: { tasks: Tasks }): TypedBackend<ComputeBackendLike, Tasks>;

describe('createRemoteBackend', () => {
  it('types the router by a type argument', () => {
    const compute = createHybridCompute({ remote: createRemoteBackend<ServerTasks>({ endpoint, transport: 'websocket' }) });
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('whoami', undefined, { strategy: 'remote', timeout: 1_000 })).toEqualTypeOf<Promise<{ host: string }>>();
    // @ts-expect-error: double takes a number
    void compute.runTask('double', '21');
    // @ts-expect-error: no backend is named 'remoet'
    void compute.runTask('double', 21, { strategy: 'remoet' });
  });

  it('types a stream through the router by its chunks, over either transport', () => {
    const compute = createHybridCompute({ remote: createRemoteBackend<ServerTasks>({ endpoint, transport: 'http' }) });
    expectTypeOf(compute.streamTask('frames', 3, { highWaterMark: 4 })).toEqualTypeOf<AsyncIterable<{ index: number }>>();
    // @ts-expect-error: frames takes a number
    void compute.streamTask('frames', 'three');
    const remote = createRemoteBackend<ServerTasks>({ endpoint, transport: 'websocket' });
    expectTypeOf(remote.streamTask('frames', 3, { timeout: 1_000 })).toEqualTypeOf<AsyncIterableIterator<unknown>>();
  });

  it('given task names, checks them and leaves inputs and outputs unknown', () => {
    const compute = createHybridCompute({ remote: createRemoteBackend({ endpoint, tasks: ['double', 'whoami'] }) });
    expectTypeOf(compute.runTask('double', 21)).toEqualTypeOf<Promise<unknown>>();
    // @ts-expect-error: not a name the backend was given
    void compute.runTask('tripple', 21);
  });

  it('given nothing, makes a router that takes any task name', () => {
    const compute = createHybridCompute({ remote: createRemoteBackend({ endpoint }) });
    expectTypeOf(compute.runTask<number, number>('anything', 1, 'remote')).toEqualTypeOf<Promise<number>>();
  });

  it('mixes with a local backend', () => {
    const compute = createHybridCompute({
      local: createLocalBackend({ tasks: [double] }),
      remote: createRemoteBackend<ServerTasks>({ endpoint }),
    });
    expectTypeOf(compute.runTask('double', 1, 'local')).toEqualTypeOf<Promise<number>>();
    expectTypeOf(compute.runTask('whoami')).toEqualTypeOf<Promise<{ host: string }>>();
  });

  it('refuses a server whose task types disagree with the local backend', () => {
    const local = createLocalBackend({ tasks: [defineTask('double', (n: bigint) => n * 2n)] });
    // @ts-expect-error: task 'double' has different input or output types on different backends
    createHybridCompute({ local, remote: createRemoteBackend<ServerTasks>({ endpoint }) });
  });

  it('is typed the same by the browser build', () => {
    const remote = createBrowserRemoteBackend<ServerTasks>({ endpoint });
    expectTypeOf(remote).toExtend<RemoteBackend>();
    expectTypeOf(remote).toExtend<ComputeBackendInterface>();
    expectTypeOf(createHybridCompute({ remote }).runTask('double', 1)).toEqualTypeOf<Promise<number>>();
    const named = createHybridCompute({ remote: createBrowserRemoteBackend({ endpoint, tasks: ['double'] }) });
    // @ts-expect-error: not a name the backend was given
    void named.runTask('whoami');
  });
});
