// Placement benchmark 5: several endpoints. Four compute servers that SIMULATE four machines (each
// call waits out 10 ms on a timer; maxConcurrency 4, so 400 calls/s each), one of them 5x slower
// (50 ms: 80 calls/s), behind ONE remote backend, which sends each call to the endpoint expected to
// finish it soonest (its own choice: core's RunTimeEstimate per endpoint and task, estimateFinishMs
// against the limit each server advertises); then the same four equal. For comparison, the router
// placing over four remote backends, one per endpoint (each reporting its load()). Prints JSON.
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createHybridCompute } from '@hybridcompute/core';
import { runBatch, startSimulatedMachines } from './placement-fixtures.mjs';

const total = Number(process.env.BENCH_CALLS ?? 3_000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const maxConcurrency = 4;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const results = { calls: total, concurrency, maxConcurrency, rounds };
for (const [label, serviceMs] of [
  ['oneSlow', [10, 10, 10, 50]],
  ['equal', [10, 10, 10, 10]],
]) {
  const machines = await startSimulatedMachines({ serviceMs, maxConcurrency, iterations: 1_000 });
  results[`${label}IdealPerSecond`] = serviceMs.reduce((sum, ms) => sum + (maxConcurrency * 1_000) / ms, 0);

  const oneBackend = createRemoteBackend({ endpoint: machines.urls, idempotentTasks: ['cpu'] });
  await oneBackend.connect();
  const perEndpoint = machines.urls.map((url) => createRemoteBackend({ endpoint: url }));
  await Promise.all(perEndpoint.map((remote) => remote.connect()));
  const compute = createHybridCompute(Object.fromEntries(perEndpoint.map((remote, index) => [`machine${index}`, remote])));
  await runBatch(200, concurrency, () => oneBackend.runTask('cpu', 0));
  await runBatch(200, concurrency, () => compute.runTask('cpu', 0));
  // Interleaved rounds, medians reported: the machines and this client share a busy box.
  const own = [];
  const placed = [];
  const ownShares = serviceMs.map(() => 0);
  const placedBefore = Object.values(compute.stats().backends).map((backend) => backend.calls);
  for (let round = 0; round < rounds; round++) {
    await machines.takeServed();
    const ownRound = await runBatch(total, concurrency, () => oneBackend.runTask('cpu', 0));
    (await machines.takeServed()).forEach((served, index) => (ownShares[index] += served));
    own.push(ownRound);
    placed.push(await runBatch(total, concurrency, () => compute.runTask('cpu', 0)));
  }
  const medianRound = (batches) => [...batches].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(batches.length / 2)];
  results[`${label}OwnChoicePerSecond`] = medianRound(own).perSecond;
  results[`${label}OwnChoiceFailed`] = own.reduce((sum, batch) => sum + batch.failed, 0);
  results[`${label}OwnChoiceShares`] = ownShares;
  results[`${label}PlacedPerSecond`] = medianRound(placed).perSecond;
  results[`${label}PlacedFailed`] = placed.reduce((sum, batch) => sum + batch.failed, 0);
  results[`${label}PlacedShares`] = Object.values(compute.stats().backends).map((backend, index) => backend.calls - placedBefore[index]);
  await oneBackend.close();
  await compute.close();
  await machines.stop();
}
console.log(JSON.stringify(results));
