import { describe, expectTypeOf, it } from 'vitest';
import { createHybridCompute } from './create-hybrid-compute.js';
import { defineTask } from './define-task.js';
import type { StreamingTaskName } from './hybrid-compute-types.js';
import type { RunTaskOptions, TaskChunk, TaskOutput } from './types.js';

const tiles = defineTask('tiles', async function* (input: { size: number }) {
  for (let index = 0; index < input.size; index++) yield { index, label: `tile ${index}` };
  return input.size;
});
const double = defineTask('double', (n: number) => n * 2);
const tasks = { tiles, double };

describe('streaming types', () => {
  it('infers a streaming task’s chunk type and its return value as runTask’s output', () => {
    expectTypeOf<TaskChunk<typeof tiles>>().toEqualTypeOf<{ index: number; label: string }>();
    expectTypeOf<TaskOutput<typeof tiles>>().toEqualTypeOf<number>();
    expectTypeOf<TaskChunk<typeof double>>().toEqualTypeOf<never>();
    expectTypeOf<StreamingTaskName<typeof tasks>>().toEqualTypeOf<'tiles'>();
  });

  it('types a typed router’s streamTask by the task, and refuses wrong names and inputs', () => {
    const compute = createHybridCompute<typeof tasks>({});
    expectTypeOf(compute.streamTask('tiles', { size: 2 })).toEqualTypeOf<AsyncIterable<{ index: number; label: string }>>();
    expectTypeOf(compute.runTask('tiles', { size: 2 })).toEqualTypeOf<Promise<number>>();
    // @ts-expect-error: no such task
    compute.streamTask('tlies', { size: 2 });
    // @ts-expect-error: size is a number
    compute.streamTask('tiles', { size: '2' });
    // @ts-expect-error: double does not stream (its run is not an async generator)
    compute.streamTask('double', 2);
    // A plain function that returns an async iterable streams too.
    const lines = defineTask('lines', (text: string): AsyncIterable<string> => ({ [Symbol.asyncIterator]: () => text.split('\n').values() as never }));
    expectTypeOf(createHybridCompute<{ lines: typeof lines }>({}).streamTask('lines', 'a\nb')).toEqualTypeOf<AsyncIterable<string>>();
  });

  it('types progress in a task’s context', () => {
    defineTask('report', (_input: void, { progress }) => {
      expectTypeOf(progress).toEqualTypeOf<(value: unknown) => Promise<void>>();
    });
    // Calling it without await stays valid; an onProgress returning something (a push) still types.
    defineTask('unawaited', (_input: void, { progress }) => {
      progress(1);
      return 1;
    });
    const values: unknown[] = [];
    expectTypeOf({ onProgress: (value: unknown) => values.push(value) }).toMatchTypeOf<RunTaskOptions>();
  });
});
