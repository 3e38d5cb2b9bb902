// The page of the browser test, bundled by esbuild with browser conditions: it
// loads the package's browser build (no worker_threads), never the Node one.
import { ComputeError } from '@hybridcompute/core';
import { createWorkerBackend, transfer } from '@hybridcompute/backend-worker';

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'fulfilled';
  } catch (error) {
    return ComputeError.isInstance(error) ? error.code : `not a ComputeError: ${String(error)}`;
  }
}

async function scenario(): Promise<Record<string, unknown>> {
  const backend = createWorkerBackend({ url: new URL('./browser-worker.js', location.href), size: 1, abortGrace: 100 });
  await backend.ready();
  const first = (await backend.runTask('whoAmI', null)) as { workerId: string; hasDocument: boolean };
  const doubled = await backend.runTask('double', 21);
  // Started in one turn: one batched request, sync and async answers mixed.
  const batched = await Promise.all([1, 2, 3, 4].map((n) => backend.runTask(n % 2 === 0 ? 'later' : 'double', n)));

  const buffer = new Uint8Array([0, 1, 2, 250]).buffer;
  const inverted = (await backend.runTask('invert', transfer(buffer, [buffer]))) as ArrayBuffer;

  let failure: Record<string, string | undefined> = {};
  try {
    await backend.runTask('fail', 'E_BROWSER');
  } catch (error) {
    const cause = (error as { cause?: { name?: string; code?: string } }).cause;
    failure = { code: (error as ComputeError).code, message: (error as Error).message, causeName: cause?.name, causeCode: cause?.code };
  }

  const timeoutCode = await codeOf(backend.runTask('spin', null, { timeout: 200 }));
  const afterTimeout = (await backend.runTask('whoAmI', null)) as { workerId: string };
  const doubledAfter = await backend.runTask('double', 4);
  await backend.close();
  return {
    canRunDouble: backend.canRun('double'),
    workerHasDocument: first.hasDocument,
    doubled,
    batched,
    sentBufferDetached: buffer.byteLength === 0,
    inverted: [...new Uint8Array(inverted)],
    failure,
    timeoutCode,
    replaced: afterTimeout.workerId !== first.workerId,
    doubledAfter,
  };
}

(globalThis as { scenario?: typeof scenario }).scenario = scenario;
