import { conformanceTasks } from '@hybridcompute/backend-conformance';
import { createHybridCompute } from '@hybridcompute/core';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createWorkerBackend } from '../src/node/index.js';

// The worker backend itself is untyped (task names are strings, as for every
// backend); types come from the router, given the same task definitions the
// worker file exposes. This file is type-checked by `tsc --noEmit` too.
describe('a typed router over the worker backend', () => {
  const worker = createWorkerBackend({ url: new URL('./fixtures/conformance-worker.mjs', import.meta.url), size: 1, tasks: conformanceTasks });
  const compute = createHybridCompute<typeof conformanceTasks>({ worker });
  afterAll(() => compute.close());

  it('infers input and output from the definitions, and refuses a wrong name or input at compile time', async () => {
    const doubled = compute.runTask('double', 21);
    expectTypeOf(doubled).toEqualTypeOf<Promise<number>>();
    await expect(doubled).resolves.toBe(42);
    // @ts-expect-error: 'double' takes a number
    await expect(compute.runTask('double', 'x')).rejects.toMatchObject({ code: 'TASK_FAILED' });
    // @ts-expect-error: no task of that name
    await expect(compute.runTask('nope', 1)).rejects.toMatchObject({ code: 'NO_BACKEND' });
  });
});
