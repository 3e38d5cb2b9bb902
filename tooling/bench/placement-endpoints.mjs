// Placement benchmark 5: several endpoints. Four compute servers that SIMULATE four machines (each
// call waits out 10 ms on a timer; maxConcurrency 4, so 400 calls/s each), one of them 5x slower
// (50 ms: 80 calls/s), behind ONE remote backend (today: round-robin across its endpoints); then the
// same four equal. For comparison, the router placing over four remote backends, one per endpoint
// (each reporting the server's limit as load()): what placing across endpoints inside backend-remote,
// with core's RunTimeEstimate and estimateFinishMs, can reach. Prints JSON.
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createHybridCompute } from '@hybridcompute/core';
import { runBatch, startSimulatedMachines, withAdvertisedLoad } from './placement-fixtures.mjs';

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

  const roundRobin = createRemoteBackend({ endpoint: machines.urls, idempotentTasks: ['cpu'] });
  await roundRobin.connect();
  await runBatch(200, concurrency, () => roundRobin.runTask('cpu', 0));
  const rr = await runBatch(total, concurrency, () => roundRobin.runTask('cpu', 0));
  results[`${label}RoundRobinPerSecond`] = rr.perSecond;
  results[`${label}RoundRobinFailed`] = rr.failed;
  if (rr.failed > 0) results[`${label}RoundRobinFailures`] = rr.failures;
  await roundRobin.close();

  const perEndpoint = machines.urls.map((url) => createRemoteBackend({ endpoint: url }));
  await Promise.all(perEndpoint.map((remote) => remote.connect()));
  const compute = createHybridCompute(
    Object.fromEntries(perEndpoint.map((remote, index) => [`machine${index}`, withAdvertisedLoad(remote, maxConcurrency)])),
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
