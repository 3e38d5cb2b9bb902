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
const results = { calls: total, concurrency, maxConcurrency };
for (const [label, serviceMs] of [
  ['oneSlow', [10, 10, 10, 50]],
  ['equal', [10, 10, 10, 10]],
]) {
  const machines = await startSimulatedMachines({ serviceMs, maxConcurrency, iterations: 1_000 });
  results[`${label}IdealPerSecond`] = serviceMs.reduce((sum, ms) => sum + (maxConcurrency * 1_000) / ms, 0);

  const oneBackend = createRemoteBackend({ endpoint: machines.urls, idempotentTasks: ['cpu'] });
  await oneBackend.connect();
  await runBatch(200, concurrency, () => oneBackend.runTask('cpu', 0));
  await machines.takeServed();
  const own = await runBatch(total, concurrency, () => oneBackend.runTask('cpu', 0));
  results[`${label}OwnChoicePerSecond`] = own.perSecond;
  results[`${label}OwnChoiceFailed`] = own.failed;
  if (own.failed > 0) results[`${label}OwnChoiceFailures`] = own.failures;
  results[`${label}OwnChoiceShares`] = await machines.takeServed();
  await oneBackend.close();

  const perEndpoint = machines.urls.map((url) => createRemoteBackend({ endpoint: url }));
  await Promise.all(perEndpoint.map((remote) => remote.connect()));
  const compute = createHybridCompute(
    Object.fromEntries(perEndpoint.map((remote, index) => [`machine${index}`, remote])),
  );
  await runBatch(200, concurrency, () => compute.runTask('cpu', 0));
  const placed = await runBatch(total, concurrency, () => compute.runTask('cpu', 0));
  results[`${label}PlacedPerSecond`] = placed.perSecond;
  results[`${label}PlacedFailed`] = placed.failed;
  results[`${label}PlacedShares`] = Object.values(compute.stats().backends).map((backend) => backend.calls);
  await compute.close();
  await machines.stop();
}
console.log(JSON.stringify(results));
