// Placement benchmark 4: adapting. A worker pool of 1 (one call at a time) and a compute server with
// maxConcurrency 2. Both SIMULATE their service time (the same, 5 ms) by waiting it out on a timer,
// so the fair shares are known exactly on this shared machine. Halfway through, the server's service
// time triples. Prints JSON: the server's share of each 100 calls in the order they were placed.
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createHybridCompute } from '@hybridcompute/core';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { runBatch, startSimulatedMachines, withAdvertisedLoad } from './placement-fixtures.mjs';

const total = Number(process.env.BENCH_CALLS ?? 1_000);
const serviceMs = 5;
const iterations = 1_000;
const worker = createWorkerBackend({ url: new URL('./pool-workers/simulated-service-worker.mjs', import.meta.url), size: 1, concurrentTasksPerWorker: 1 });
await worker.ready();

const results = { iterations, serviceMs, calls: total, slowedAfter: total / 2 };
for (const variant of ['auto', 'autoWithLoad']) {
  const machines = await startSimulatedMachines({ serviceMs: [serviceMs], maxConcurrency: 2, iterations });
  const remote = createRemoteBackend({ endpoint: machines.urls[0] });
  await remote.connect();
  const placedOn = [];
  const compute = createHybridCompute(
    { worker, remote: variant === 'auto' ? remote : withAdvertisedLoad(remote, 2) },
    { onTaskStart: (event) => placedOn.push(event.backend) },
  );
  // Both backends learned before the batch, as in a running service.
  await runBatch(40, 4, () => compute.runTask('cpu', serviceMs));
  placedOn.length = 0;
  let slowing;
  const { failed } = await runBatch(total, 16, async (index) => {
    if (index === total / 2) slowing = machines.slowDown(0, 3);
    if (slowing !== undefined) await slowing;
    return compute.runTask('cpu', serviceMs);
  });
  const shares = [];
  for (let from = 0; from < placedOn.length; from += 100) {
    const slice = placedOn.slice(from, from + 100);
    shares.push(slice.filter((backend) => backend === 'remote').length / slice.length);
  }
  results[`${variant}RemoteSharePer100`] = shares;
  results[`${variant}Failed`] = failed;
  await remote.close();
  await machines.stop();
}
// Throughput shares if both ran at their nominal rates: worker 1/s, server 2/s, then 2/(3s).
results.fairShareBefore = 2 / 3;
results.fairShareAfter = 2 / 3 / (2 / 3 + 1);
await worker.close();
console.log(JSON.stringify(results));
