// The page of the browser test, bundled by esbuild with browser conditions: it
// loads the browser builds (fetch, Web Workers), never the Node ones.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { ComputeError, type ComputeBackendLike } from '@hybridcompute/core';
import * as tasks from '../fixtures/wasm-tasks.mjs';

async function failureOf(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
    return { code: 'fulfilled' };
  } catch (error) {
    if (!ComputeError.isInstance(error)) return { code: `not a ComputeError: ${String(error)}` };
    const cause = error.cause as { name?: string; code?: string; message?: string } | undefined;
    return { code: error.code, causeName: cause?.name, causeCode: cause?.code, causeMessage: cause?.message };
  }
}

async function valuesOn(backend: ComputeBackendLike): Promise<Record<string, unknown>> {
  const bytes = new Uint8Array(1024 * 1024);
  for (let offset = 0; offset < bytes.length; offset += 65_536) crypto.getRandomValues(bytes.subarray(offset, offset + 65_536));
  const scaled = (await backend.runTask('scale', new Float32Array([1, -2.5]))) as Float32Array;
  return {
    added: await backend.runTask('add', [2, 3]),
    fib: await backend.runTask('fib', 20),
    mul64: String(await backend.runTask('mul64', [2n ** 40n, 3n])),
    upper: await backend.runTask('upper', 'héllo'),
    checksumMatchesJs: (await backend.runTask('checksum', bytes)) === tasks.checksumInJs(bytes),
    scaled: [scaled.constructor.name, ...scaled],
    reversed: [...((await backend.runTask('reverse', new Int32Array([1, 2, 3]))) as Int32Array)],
    wrongType: await failureOf(backend.runTask('add', ['1', 2])),
    live: await backend.runTask('live', undefined),
  };
}

async function scenario(): Promise<Record<string, unknown>> {
  const worker = createWorkerBackend({ url: new URL('./wasm-browser-worker.js', location.href), size: 1 });
  await worker.ready();
  const before = await worker.runTask('whoAmI', undefined);
  const counts = [await worker.runTask('count', undefined), await worker.runTask('count', undefined)];
  const onWorker = await valuesOn(worker);
  const trap = await failureOf(worker.runTask('crash', undefined));
  const outOfBounds = await failureOf(worker.runTask('outOfBounds', undefined));
  const countAfterTrap = await worker.runTask('count', undefined);
  const sameWorker = (await worker.runTask('whoAmI', undefined)) === before;
  await worker.close();
  // The same tasks in the page's own thread: fetched and compiled on the main thread.
  const onPage = await valuesOn(createLocalBackend({ tasks }));
  return { counts, onWorker, trap, outOfBounds, countAfterTrap, sameWorker, onPage };
}

(globalThis as { scenario?: typeof scenario }).scenario = scenario;
