// The scenarios every backend runs with the tasks of fixtures/wasm-tasks.mjs:
// the values they take and return, their errors, and traps the backend outlives.
import { ComputeError, type ComputeBackendLike } from '@hybridcompute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// A plain .mjs fixture, shared with the worker file and the browser bundle.
import { checksumInJs } from './fixtures/wasm-tasks.mjs';

export interface WasmBackendCase {
  /** The backend under test, its tasks from fixtures/wasm-tasks.mjs; one for the whole describe. */
  createBackend(): Promise<ComputeBackendLike>;
  dispose(backend: ComputeBackendLike): Promise<void>;
  /**
   * Whether typed arrays and bigints travel to and from the task. Over today's
   * JSON wire (server, BullMQ) they do not: typed arrays go as arrays of
   * numbers (which the tasks take too) and the exports that return a typed
   * array or a bigint are left to the backends that carry them.
   */
  structuredValues: boolean;
}

const checksumOf = checksumInJs;

/** A rejection's code and its cause's name, code and message: what crosses every boundary. */
export async function failureOf(call: Promise<unknown>): Promise<{ code: string; cause: { name?: string | undefined; code?: string | undefined; message?: string | undefined } }> {
  try {
    await call;
  } catch (error) {
    expect(ComputeError.isInstance(error), `not a ComputeError: ${String(error)}`).toBe(true);
    const { name, code, message } = ((error as ComputeError).cause ?? {}) as { name?: string; code?: string; message?: string };
    return { code: (error as ComputeError).code, cause: { name, code, message } };
  }
  throw new Error('the call succeeded');
}

function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536));
  return bytes;
}

export function describeWasmTasksOn(name: string, options: WasmBackendCase): void {
  describe(`WebAssembly tasks on ${name}`, () => {
    let backend: ComputeBackendLike;
    const run = (task: string, input?: unknown): Promise<unknown> => backend.runTask(task, input);
    // Over JSON a typed array goes as an array of numbers.
    const typed = <Array extends { length: number }>(array: Array): unknown => (options.structuredValues ? array : Array.from(array as unknown as ArrayLike<number>));

    beforeAll(async () => {
      backend = await options.createBackend();
    });
    afterAll(async () => {
      await options.dispose(backend);
    });

    it('runs numeric exports: one number, an array of arguments, none', async () => {
      expect(backend.canRun('add')).toBe(true);
      await expect(run('add', [2, 3])).resolves.toBe(5);
      await expect(run('add', [2 ** 31 - 1, 1])).resolves.toBe(-(2 ** 31)); // i32 wraps, as in the module
      await expect(run('hypot', [3, 4])).resolves.toBe(5);
      await expect(run('fib', 20)).resolves.toBe(6765);
      await expect(run('answer')).resolves.toBe(42);
      await expect(run('answer', [])).resolves.toBe(42);
      if (options.structuredValues) await expect(run('mul64', [2n ** 40n, 3])).resolves.toBe(3n * 2n ** 40n);
    });

    it('passes strings and typed arrays through memory, and frees what it allocated', async () => {
      await expect(run('upper', 'héllo, wörld')).resolves.toBe('HéLLO, WöRLD');
      await expect(run('upper', '')).resolves.toBe('');
      await expect(run('sum', typed(new Float64Array([0.5, 1.25, -3])))).resolves.toBe(-1.25);
      const bytes = randomBytes(4096);
      await expect(run('checksum', typed(bytes))).resolves.toBe(checksumOf(bytes));
      if (options.structuredValues) {
        const input = new Float32Array([1, -2.5, 3]);
        await expect(run('scale', input)).resolves.toEqual(new Float32Array([2, -5, 6]));
        expect(input).toEqual(new Float32Array([1, -2.5, 3])); // changed in the module's memory, not here
        await expect(run('reverse', new Int32Array([1, 2, 3, -4]))).resolves.toEqual(new Int32Array([-4, 3, 2, 1]));
        await expect(run('reverse', new Int32Array(0))).resolves.toEqual(new Int32Array(0));
      }
      // Every alloc had its dealloc: the module's own count of live allocations.
      await expect(run('live')).resolves.toBe(0);
    });

    it('computes the CPU-heavy checksum over a large array as its JavaScript twin does', async () => {
      const bytes = randomBytes(options.structuredValues ? 4 * 1024 * 1024 : 256 * 1024);
      const expected = checksumOf(bytes);
      await expect(run('checksum', typed(bytes))).resolves.toBe(expected);
      await expect(run('checksumJs', typed(bytes))).resolves.toBe(expected);
    });

    it('rejects a wrong argument count or type with INVALID_REQUEST naming the task', async () => {
      const cases: [string, unknown, RegExp][] = [
        ['add', [1], /expected 2 arguments \(i32, i32\), got 1/],
        ['add', [1, 2, 3], /expected 2 arguments/],
        ['add', ['1', 2], /input\[0\] must be a number, got a string/],
        ['add', [1.5, 2], /input\[0\] must be an integer/],
        ['fib', { n: 3 }, /the input must be a number, got an object/],
        ['answer', 7, /expected 0 arguments, got 1/],
        ['upper', 42, /the input must be a string, got a number/],
        ['checksum', 'bytes', /the input must be a Uint8Array or an array of numbers, got a string/],
        ['sum', [1, 'x'], /input\[1\] must be a number/],
      ];
      for (const [task, input, message] of cases) {
        const failure = await run(task, input).then(
          () => undefined,
          (error: unknown) => error as ComputeError,
        );
        expect(ComputeError.isInstance(failure), `${task}(${JSON.stringify(input)})`).toBe(true);
        expect(failure, `${task}(${JSON.stringify(input)})`).toMatchObject({ code: 'INVALID_REQUEST', taskName: task });
        expect(failure?.message).toMatch(message);
      }
    });

    it('turns traps into TASK_FAILED with the trap as cause, and carries on with a fresh instance', async () => {
      await expect(run('count')).resolves.toBe(1);
      await expect(run('count')).resolves.toBe(2); // one instance serves call after call
      // Engines word traps their own way (V8: 'unreachable'; JavaScriptCore: 'Unreachable code should not be executed').
      expect(await failureOf(run('crash'))).toMatchObject({ code: 'TASK_FAILED', cause: { name: 'RuntimeError', message: expect.stringMatching(/unreachable/i) } });
      await expect(run('count')).resolves.toBe(1); // the trapped instance was replaced
      expect(await failureOf(run('outOfBounds'))).toMatchObject({ code: 'TASK_FAILED', cause: { name: 'RuntimeError', message: expect.stringMatching(/out of bounds/i) } });
      expect(await failureOf(run('recurse', 0))).toMatchObject({ code: 'TASK_FAILED', cause: { name: 'RangeError', message: expect.stringMatching(/call stack/i) } });
      await expect(run('add', [20, 22])).resolves.toBe(42);
      await expect(run('upper', 'still up')).resolves.toBe('STILL UP');
    });
  });
}
