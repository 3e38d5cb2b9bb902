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

// Progress and streams through the browser build: what the conformance groups check on threads.
async function streamScenario(): Promise<Record<string, unknown>> {
  const backend = createWorkerBackend({ url: new URL('./browser-worker.js', location.href), size: 1 });
  await backend.ready();
  const progress: unknown[] = [];
  const stepped = await backend.runTask('steps', 5, { onProgress: (value) => progress.push(value) });

  const tiles: unknown[] = [];
  for await (const tile of backend.streamTask('tiles', 3)) {
    const { index, pixels } = tile as { index: number; pixels: ArrayBuffer };
    tiles.push([index, pixels.byteLength, new Uint8Array(pixels)[0]]);
  }

  const beforeFailure: unknown[] = [];
  let failure: Record<string, unknown> = {};
  try {
    for await (const chunk of backend.streamTask('failAfter', 2)) beforeFailure.push(chunk);
  } catch (error) {
    failure = { code: (error as ComputeError).code, causeCode: ((error as Error).cause as { code?: string }).code };
  }

  // A reader that stops: the worker's generator waits at its yield (highWaterMark 2), then closes on break.
  let read = 0;
  let pausedAt: unknown;
  for await (const _chunk of backend.streamTask('endless', null, { highWaterMark: 2 })) {
    if (++read === 1) {
      for (let round = 0; round < 20; round++) pausedAt = await backend.runTask('endlessState', null);
      pausedAt = { ...(pausedAt as object) };
    }
    if (read === 3) break;
  }
  let stopped = (await backend.runTask('endlessState', null)) as { closed: boolean };
  for (let round = 0; round < 100 && !stopped.closed; round++) stopped = (await backend.runTask('endlessState', null)) as { closed: boolean };

  const timeoutCode = await codeOf(
    (async () => {
      for await (const _chunk of backend.streamTask('endless', null, { timeout: 100, highWaterMark: 1 })) await new Promise((resolve) => setTimeout(resolve, 20));
    })(),
  );
  await backend.close();
  return { stepped, progress, tiles, beforeFailure, failure, pausedAt, stopped, timeoutCode };
}

(globalThis as { scenario?: typeof scenario }).scenario = scenario;
(globalThis as { streamScenario?: typeof streamScenario }).streamScenario = streamScenario;
