// Placement benchmark 1: tiny tasks (a no-op). A router over worker + local under 'auto' against a
// router over local alone, the worker alone and 'ordered'. Sequential calls, in interleaved rounds
// (best and median round), and 64 in flight (median round). Prints JSON: ns per call and calls per second.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { runBatch, startWorkerPool } from './placement-fixtures.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 25);
const noop = defineTask('noop', (value) => value);
const local = createLocalBackend({ tasks: [noop] });
const worker = await startWorkerPool(2);

const routers = {
  localAlone: { compute: createHybridCompute({ local }), calls: 50_000 },
  workerAlone: { compute: createHybridCompute({ worker }), calls: 2_000 },
  ordered: { compute: createHybridCompute({ worker, local }, { placement: 'ordered' }), calls: 2_000 },
  auto: { compute: createHybridCompute({ worker, local }), calls: 50_000 },
};

let sink = 0;
async function nsPerCall(compute, calls) {
  const startedAt = process.hrtime.bigint();
  for (let n = 0; n < calls; n++) sink += await compute.runTask('noop', n);
  return Number(process.hrtime.bigint() - startedAt) / calls;
}

// Warm-up: the JIT, and for 'auto' its learning, are not timed.
for (const { compute } of Object.values(routers)) await runBatch(5_000, 1, (n) => compute.runTask('noop', n));
const perRound = Object.fromEntries(Object.keys(routers).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, { compute, calls }] of Object.entries(routers)) perRound[name].push(await nsPerCall(compute, calls));
}
const results = {};
for (const [name, values] of Object.entries(perRound)) {
  values.sort((a, b) => a - b);
  results[`${name}BestNs`] = values[0];
  results[`${name}MedianNs`] = values[Math.floor(values.length / 2)];
}
// 64 in flight, in interleaved rounds too: the median round's calls per second.
const batchedRounds = Object.fromEntries(Object.keys(routers).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, { compute, calls }] of Object.entries(routers)) {
    batchedRounds[name].push((await runBatch(calls, 64, (n) => compute.runTask('noop', n))).perSecond);
  }
}
for (const [name, values] of Object.entries(batchedRounds)) {
  values.sort((a, b) => a - b);
  results[`${name}BatchedPerSecond`] = values[Math.floor(values.length / 2)];
}
const stats = routers.auto.compute.stats().tasks.noop;
results.autoOnWorker = stats.worker?.calls ?? 0;
results.autoOnLocal = stats.local?.calls ?? 0;
await worker.close();
if (sink === -1) console.error(sink);
console.log(JSON.stringify(results));
