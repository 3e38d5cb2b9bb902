// One run of the stream benchmark (see stream-worker.bench.mjs), printing one JSON line:
// - small chunks per second (numbers, which travel several to a message, and small objects, one
//   message each) through the worker pool's streamTask, and through bare postMessage (one message
//   per chunk) from a worker of the same kind, rounds interleaved;
// - a no-op call with and without onProgress (no progress sent), 64 in flight and 1 in flight;
// - the heap growth of this thread while a reader stalls on a producer that could yield for ever.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { createWorkerBackend } from '@hybridcompute/backend-worker';

const chunks = Number(process.env.BENCH_CHUNKS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const noopCalls = Number(process.env.BENCH_NOOP_TASKS ?? 20_000);
const highWaterMark = Number(process.env.BENCH_HWM ?? 16);
const worker = (name) => new URL(`./pool-workers/${name}`, import.meta.url);
// A full collection before each heap reading, so that the growth is what is held, not garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const backend = createWorkerBackend({ url: worker('stream-worker.mjs'), size: 1 });
await backend.ready();
const raw = new Worker(worker('raw-stream-worker.mjs'));
let rawDone;
let rawCount = 0;
raw.on('message', (message) => {
  if (message.done === true) rawDone(rawCount);
  else rawCount++;
});

async function streamed(to, objects = false) {
  let count = 0;
  for await (const _chunk of backend.streamTask(objects ? 'countObjects' : 'count', to, { highWaterMark })) count++;
  return count;
}

function bare(to, objects = false) {
  rawCount = 0;
  return new Promise((resolve) => {
    rawDone = resolve;
    raw.postMessage({ id: 1, to, objects });
  });
}
const streamedObjects = (to) => streamed(to, true);
const bareObjects = (to) => bare(to, true);

async function perSecond(run) {
  const startedAt = performance.now();
  const count = await run(chunks);
  if (count !== chunks) throw new Error(`expected ${chunks} chunks, got ${count}`);
  return chunks / ((performance.now() - startedAt) / 1000);
}

const ignore = () => {};
async function noopPerSecond(withProgress, inFlight) {
  const options = withProgress ? { onProgress: ignore } : undefined;
  let next = 0;
  const lane = async () => {
    while (next++ < noopCalls) await backend.runTask('noop', next, options);
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: inFlight }, lane));
  return noopCalls / ((performance.now() - startedAt) / 1000);
}

// Warm-up: JIT on both sides.
await streamed(chunks);
await bare(chunks);
await streamedObjects(chunks);
await bareObjects(chunks);
await noopPerSecond(false, 64);
await noopPerSecond(true, 64);

const samples = { streamed: [], bare: [], streamedObjects: [], bareObjects: [], noop64: [], progress64: [], noop1: [], progress1: [] };
for (let round = 0; round < rounds; round++) {
  samples.streamed.push(await perSecond(streamed));
  samples.bare.push(await perSecond(bare));
  samples.streamedObjects.push(await perSecond(streamedObjects));
  samples.bareObjects.push(await perSecond(bareObjects));
  // Which of the pair goes first alternates, so that neither always follows the streams.
  for (const withProgress of round % 2 === 0 ? [false, true] : [true, false]) {
    samples[withProgress ? 'progress64' : 'noop64'].push(await noopPerSecond(withProgress, 64));
  }
  for (const withProgress of round % 2 === 0 ? [true, false] : [false, true]) {
    samples[withProgress ? 'progress1' : 'noop1'].push(await noopPerSecond(withProgress, 1));
  }
}

// The stalled reader: one 256 KiB chunk read, then nothing for a second while the pool answers other calls.
const bytes = 256 * 1024;
const iterator = backend.streamTask('endlessBuffers', bytes, { highWaterMark })[Symbol.asyncIterator]();
await iterator.next();
collectGarbage();
const before = process.memoryUsage();
const stallEnds = performance.now() + 1_000;
let produced = 0;
while (performance.now() < stallEnds) produced = await backend.runTask('produced', null);
collectGarbage();
const after = process.memoryUsage();
await iterator.return();

await Promise.all([backend.close(), raw.terminate()]);
const figures = Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, median(values)]));
console.log(
  JSON.stringify({
    streamedPerSec: figures.streamed,
    barePerSec: figures.bare,
    ratio: figures.streamed / figures.bare,
    streamedObjectsPerSec: figures.streamedObjects,
    bareObjectsPerSec: figures.bareObjects,
    objectsRatio: figures.streamedObjects / figures.bareObjects,
    noop64PerSec: figures.noop64,
    progress64PerSec: figures.progress64,
    progress64Ratio: figures.progress64 / figures.noop64,
    noop1PerSec: figures.noop1,
    progress1PerSec: figures.progress1,
    progress1Ratio: figures.progress1 / figures.noop1,
    stalledGrowthMiB: (after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers)) / 2 ** 20,
    stalledBoundMiB: ((highWaterMark + 1) * bytes) / 2 ** 20,
    stalledProduced: produced,
  }),
);
