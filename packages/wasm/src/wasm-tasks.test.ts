import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, type ComputeTaskInterface } from '@hybridcompute/core';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { wasmTasks } from './node/index.js';
import type { WasmNumericInput } from './index.js';

const build = new URL('../test/fixtures/wasm-build/', import.meta.url);
const mathBytes = readFileSync(new URL('math.wasm', build));
const noMemoryBytes = readFileSync(new URL('no-memory.wasm', build));
const importsBytes = readFileSync(new URL('imports.wasm', build));
const scratch = mkdtempSync(join(tmpdir(), 'hybridcompute-wasm-src-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What a definition threw: the TypeError with code INVALID_REQUEST every bad argument gets. */
function thrownBy(define: () => unknown): { name: string; code: unknown; message: string } {
  try {
    define();
  } catch (error) {
    return { name: (error as Error).name, code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
  throw new Error('nothing was thrown');
}

/** Runs a task the way every backend does, and returns its failure's cause. */
async function causeOfFailure(task: ComputeTaskInterface, input?: unknown): Promise<{ name?: string; code?: string; message: string }> {
  try {
    await createLocalBackend({ tasks: [task] }).runTask(task.name, input);
  } catch (error) {
    expect(ComputeError.isInstance(error) && error.code).toBe('TASK_FAILED');
    return (error as ComputeError).cause as { name?: string; code?: string; message: string };
  }
  throw new Error('the call succeeded');
}

describe('wasmTasks sources', () => {
  it('takes bytes in any form, copied: changing the buffer afterwards changes nothing', async () => {
    const buffer = new Uint8Array(mathBytes.length + 8);
    buffer.set(mathBytes, 8);
    const { add } = wasmTasks(buffer.subarray(8), { exports: ['add'] });
    buffer.fill(0);
    const { add: fromArrayBuffer } = wasmTasks(new Uint8Array(mathBytes).buffer, { exports: ['add'] });
    const local = createLocalBackend({ tasks: [add] });
    await expect(local.runTask('add', [1, 2])).resolves.toBe(3);
    await expect(fromArrayBuffer.run([2, 2], { signal: new AbortController().signal, progress: async () => {} })).resolves.toBe(4);
  });

  it('takes a WebAssembly.Module, a file: URL, a path and an http: URL', async () => {
    const { fib } = wasmTasks(new WebAssembly.Module(mathBytes), { exports: ['fib'] });
    const path = join(scratch, 'math.wasm');
    writeFileSync(path, mathBytes);
    const { hypot } = wasmTasks(pathToFileURL(path), { exports: { hypot: 'number' } });
    const { add } = wasmTasks(path, { exports: ['add'] });
    const local = createLocalBackend({ tasks: [fib, hypot, add] });
    await expect(local.runTask('fib', 10)).resolves.toBe(55);
    await expect(local.runTask('hypot', [5, 12])).resolves.toBe(13);
    await expect(local.runTask('add', [40, 2])).resolves.toBe(42);
  });

  describe('over http', () => {
    let server: Server;
    let origin: string;
    beforeAll(async () => {
      server = createServer((request, response) => {
        if (request.url === '/math.wasm') response.writeHead(200, { 'content-type': 'application/wasm' }).end(mathBytes);
        else response.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('fetches a URL on the first call, and says what the server answered when it fails', async () => {
      const { add } = wasmTasks(`${origin}/math.wasm`, { exports: ['add'] });
      await expect(createLocalBackend({ tasks: [add] }).runTask('add', [3, 4])).resolves.toBe(7);
      const { add: missing } = wasmTasks(new URL('/gone.wasm', origin), { exports: ['add'] });
      expect((await causeOfFailure(missing, [1, 2])).message).toBe(`wasmTasks could not load ${origin}/gone.wasm: GET ${origin}/gone.wasm answered 404 Not Found`);
    });
  });
});

describe('wasmTasks, lazily', () => {
  it('reads nothing when defined: a missing file fails the first call, and the next call loads it once it is there', async () => {
    const path = join(scratch, 'not-yet.wasm');
    const { add } = wasmTasks(path, { exports: ['add'] });
    const cause = await causeOfFailure(add, [1, 2]);
    expect(cause.message).toMatch(/^wasmTasks could not load .*not-yet\.wasm: ENOENT/);
    writeFileSync(path, mathBytes);
    await expect(createLocalBackend({ tasks: [add] }).runTask('add', [1, 2])).resolves.toBe(3);
  });

  it('gives concurrent first calls one instance, and keeps it for the calls after', async () => {
    const { count } = wasmTasks(mathBytes, { exports: ['count'] });
    const local = createLocalBackend({ tasks: [count] });
    await expect(Promise.all([local.runTask('count', undefined), local.runTask('count', undefined)])).resolves.toEqual([1, 2]);
    // Once instantiated, a call runs synchronously: run returns the value itself, not a promise.
    expect(count.run(undefined, { signal: new AbortController().signal, progress: async () => {} })).toBe(3);
  });

  it('fails every call of a file that is not a module with its compile error, and of a module without the export named', async () => {
    const path = join(scratch, 'garbage.wasm');
    writeFileSync(path, 'not a module');
    const { add } = wasmTasks(path, { exports: ['add'] });
    for (let attempt = 0; attempt < 2; attempt++) expect((await causeOfFailure(add, [1, 2])).message).toMatch(/^wasmTasks could not compile .*garbage\.wasm: /);
    const noMemory = join(scratch, 'no-memory.wasm');
    writeFileSync(noMemory, noMemoryBytes);
    const { nope } = wasmTasks(noMemory, { exports: ['nope'] });
    expect(await causeOfFailure(nope)).toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST', message: expect.stringContaining("has no export 'nope' (its functions: length)") });
  });
});

describe('wasmTasks checks what it can when the tasks are defined', () => {
  it.each([
    ['bytes that are not a module', () => wasmTasks(new Uint8Array([0, 97, 115, 109, 9, 0, 0, 0]), { exports: ['add'] }), /the 8 bytes given are not a valid WebAssembly module/],
    ['an export the module lacks', () => wasmTasks(mathBytes, { exports: ['nope'] }), /has no export 'nope' \(its functions: alloc, dealloc, live, add, /],
    ['an export that is not a function', () => wasmTasks(noMemoryBytes, { exports: ['version'] }), /export 'version' is a global, not a function/],
    ['a module without alloc and memory', () => wasmTasks(noMemoryBytes, { exports: { length: { input: 'string' } } }), /'length' takes a string, which needs the module to export 'memory' and 'alloc\(size\) -> pointer'/],
    ['a Module without them', () => wasmTasks(new WebAssembly.Module(noMemoryBytes), { exports: { length: { input: 'Uint8Array' } } }), /needs the module to export 'memory' and 'alloc/],
    ['a memory export with the wrong parameters', () => wasmTasks(mathBytes, { exports: { hypot: { input: 'Float64Array' } } }), /'hypot' takes a Float64Array, so it must take \(pointer: i32, length: i32\); it is \(f64, f64\) -> \(f64\)/],
    ['an i64 result declared a number', () => wasmTasks(mathBytes, { exports: ['mul64'] }), /'mul64' returns an i64: declare it 'bigint'/],
    ['a bigint that is not an i64', () => wasmTasks(mathBytes, { exports: { add: 'bigint' } }), /'add' is declared 'bigint' but does not return an i64/],
    ['a result in memory that is a plain number', () => wasmTasks(mathBytes, { exports: { checksum: { input: 'Uint8Array', output: 'string' } } }), /must return \(pointer: i32, length: i32\) or one i64/],
    ['no options', () => wasmTasks(mathBytes, undefined as never), /options must be an object with 'exports', got undefined/],
    ['no exports', () => wasmTasks(mathBytes, { exports: [] }), /exports names no export/],
    ['exports of the wrong type', () => wasmTasks(mathBytes, { exports: 'add' as never }), /exports must be an array of export names or a record/],
    ['a spec of the wrong type', () => wasmTasks(mathBytes, { exports: { add: 3 as never } }), /the spec of 'add' must be 'number', 'bigint' or \{ input, output \}, got a number/],
    ['an unknown input', () => wasmTasks(mathBytes, { exports: { add: { input: 'Array' as never } } }), /'add' has input Array; use 'number', 'string' or a typed array's name/],
    ['an unknown output', () => wasmTasks(mathBytes, { exports: { add: { output: 'json' as never } } }), /'add' has output json/],
    ["'input' out of a string", () => wasmTasks(mathBytes, { exports: { upper: { input: 'string', output: 'input' } } }), /output 'input', which needs a typed array input, not string/],
    ['a source of the wrong type', () => wasmTasks(42 as never, { exports: ['add'] }), /the source must be a URL, a path, bytes or a WebAssembly.Module, got a number/],
    ['an empty path', () => wasmTasks('', { exports: ['add'] }), /the source is an empty string/],
    ['a prefix that is not a string', () => wasmTasks(mathBytes, { exports: ['add'], prefix: 1 as never }), /prefix must be a string, got a number/],
    ['imports that are not an object', () => wasmTasks(mathBytes, { exports: ['add'], imports: 'env' as never }), /imports must be an object or a function that returns one, got a string/],
  ])('%s is a TypeError with code INVALID_REQUEST', (_, define, message) => {
    const thrown = thrownBy(define);
    expect(thrown).toMatchObject({ name: 'TypeError', code: 'INVALID_REQUEST' });
    expect(thrown.message).toMatch(message);
  });
});

describe('wasmTasks options', () => {
  it('instantiates with the imports given, or with those a function makes for each instance', async () => {
    const { shifted } = wasmTasks(importsBytes, { exports: ['shifted'], imports: { env: { offset: () => 100 } } });
    await expect(createLocalBackend({ tasks: [shifted] }).runTask('shifted', 1)).resolves.toBe(101);
    let made = 0;
    const { shifted: fromFunction } = wasmTasks(importsBytes, { exports: ['shifted'], imports: () => ({ env: { offset: () => ++made * 1000 } }) });
    const local = createLocalBackend({ tasks: [fromFunction] });
    await expect(local.runTask('shifted', 1)).resolves.toBe(1001);
    await expect(local.runTask('shifted', 2)).resolves.toBe(2002); // offset() counts calls: one imports object, reused
    const { shifted: missing } = wasmTasks(importsBytes, { exports: ['shifted'] });
    expect((await causeOfFailure(missing, 1)).message).toMatch(/^wasmTasks could not instantiate \d+ bytes: .*; it imports env\.offset \(function\)$/);
  });

  it('names the tasks prefix + export name, and types them so a typed router checks names and inputs', async () => {
    const tasks = wasmTasks(mathBytes, { exports: { add: 'number', mul64: 'bigint', upper: { input: 'string', output: 'string' }, scale: { input: 'Float32Array', output: 'input' } }, prefix: 'math.' });
    expect(Object.keys(tasks)).toEqual(['add', 'mul64', 'upper', 'scale']);
    expect(tasks.add.name).toBe('math.add');
    expectTypeOf(tasks.add).toEqualTypeOf<ComputeTaskInterface<WasmNumericInput, number, 'math.add'>>();
    expectTypeOf(tasks.scale).toEqualTypeOf<ComputeTaskInterface<Float32Array | readonly number[], Float32Array, 'math.scale'>>();
    const compute = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
    const sum = compute.runTask('math.add', [1, 2]);
    expectTypeOf(sum).toEqualTypeOf<Promise<number>>();
    await expect(sum).resolves.toBe(3);
    const upper = compute.runTask('math.upper', 'abc');
    expectTypeOf(upper).toEqualTypeOf<Promise<string>>();
    await expect(upper).resolves.toBe('ABC');
    expectTypeOf(compute.runTask('math.mul64', [2n, 3n])).toEqualTypeOf<Promise<bigint>>();
    // @ts-expect-error: 'math.upper' takes a string
    await expect(compute.runTask('math.upper', 1)).rejects.toMatchObject({ code: 'INVALID_REQUEST', taskName: 'math.upper' });
    // @ts-expect-error: the task is 'math.add', not 'add'
    await expect(compute.runTask('add', [1, 2])).rejects.toMatchObject({ code: 'NO_BACKEND' });
    await compute.close();
  });
});
