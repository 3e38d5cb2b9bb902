// Placement benchmark 3: capacity adds up. A worker pool of 1 running a ~5 ms CPU task, plus a
// compute server that SIMULATES a second machine: its copy of the task waits out the same service
// time on a timer (simulated-machines.mjs), with maxConcurrency 2. Throughput of each alone, their
// sum, 'ordered' and 'auto', in interleaved rounds; the figure is the median over rounds of 'auto'
// against the sum in the same round, since the worker's speed (its CPU is shared with everything
// else on the box) changes several-fold between rounds and the timer's does not. Prints JSON
// (calls per second).
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createHybridCompute } from '@hybridcompute/core';
import { calibrateCpuWork, runBatch, startSimulatedMachines, startWorkerPool, withAdvertisedLoad } from './placement-fixtures.mjs';

const total = Number(process.env.BENCH_CALLS ?? 150);
const iterations = calibrateCpuWork(5);
const worker = await startWorkerPool(1);
// The service time the server simulates: what the task takes on the worker, measured.
await worker.runTask('cpu', iterations);
const timedAt = performance.now();
for (let run = 0; run < 10; run++) await worker.runTask('cpu', iterations);
const serviceMs = (performance.now() - timedAt) / 10;
const machines = await startSimulatedMachines({ serviceMs: [serviceMs], maxConcurrency: 2, iterations });
const remote = createRemoteBackend({ endpoint: machines.urls[0] });
await remote.connect();

const subjects = {
  workerAlone: { compute: createHybridCompute({ worker }), concurrency: 16 },
  // Two in flight: the server's limit, past which it answers QUEUE_FULL.
  remoteAlone: { compute: createHybridCompute({ remote }), concurrency: 2 },
  ordered: { compute: createHybridCompute({ worker, remote }, { placement: 'ordered' }), concurrency: 16 },
  auto: { compute: createHybridCompute({ worker, remote }), concurrency: 16 },
  autoWithLoad: { compute: createHybridCompute({ worker, remote: withAdvertisedLoad(remote, 2) }), concurrency: 16 },
};
// Short rounds, many of them: the subjects of one round run within a few seconds of each other.
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const results = { iterations, serviceMs, calls: total, rounds };
for (const { compute, concurrency } of Object.values(subjects)) await runBatch(20, concurrency, () => compute.runTask('cpu', iterations));
// Interleaved rounds, the median reported: this machine's speed changes from one minute to the next.
const perSecond = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, { compute, concurrency }] of Object.entries(subjects)) {
    const batch = await runBatch(total, concurrency, () => compute.runTask('cpu', iterations));
    perSecond[name].push(batch.perSecond);
    results[`${name}Failed`] = (results[`${name}Failed`] ?? 0) + batch.failed;
  }
}
for (const [name, values] of Object.entries(perSecond)) {
  results[`${name}PerSecond`] = [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  if (name.startsWith('auto')) {
    const stats = subjects[name].compute.stats().tasks.cpu;
    results[`${name}OnRemote`] = stats.remote?.calls ?? 0;
    results[`${name}OnWorker`] = stats.worker?.calls ?? 0;
  }
}
results.sumAlonePerSecond = results.workerAlonePerSecond + results.remoteAlonePerSecond;
// Per round, 'auto' against the sum of the two alone in the same round (the box's speed changes
// between rounds, most for the worker, whose CPU the other processes share; the timer does not).
const perRoundRatios = perSecond.auto.map((auto, round) => auto / (perSecond.workerAlone[round] + perSecond.remoteAlone[round]));
results.autoOfSumPerRound = perRoundRatios;
results.autoOfSumMedian = [...perRoundRatios].sort((a, b) => a - b)[Math.floor(perRoundRatios.length / 2)];
results.workerAlonePerRound = perSecond.workerAlone;
results.remoteAlonePerRound = perSecond.remoteAlone;
await remote.close();
await worker.close();
await machines.stop();
console.log(JSON.stringify(results));
