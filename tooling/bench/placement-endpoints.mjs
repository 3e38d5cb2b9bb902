// Placement benchmark 5: several endpoints. Four compute servers that SIMULATE four machines (each
// call waits out 10 ms on a timer; maxConcurrency 4, so 400 calls/s each), one of them 5x slower
// (50 ms: 80 calls/s), behind ONE remote backend, which sends each call to the endpoint expected to
// finish it soonest (its own choice: core's RunTimeEstimate per endpoint and task, estimateFinishMs
// against the limit each server advertises); then the same four equal. For comparison, the router
// placing over four remote backends, one per endpoint (each reporting its load()). Three ideals:
// nominal (the service times as asked), actual (the service times the timers really gave: they
// fire late, 10 ms taking 11 to 12 on a busy box) and measured (every machine kept at its limit
// at once, a backend each, no choice to make: the service plus a round trip per call, since the
// client holds each endpoint to the limit its server advertises). Also CPU per call, client and
// machines. Prints JSON.
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
  // The ideal measured: every machine kept at its limit at once, each by a backend of its own (no
  // choice to make), so the machines deliver their service time plus the timer's lateness and a
  // round trip per call, at the same request rate on this box as the rounds measured against it.
  const measuredIdeal = [];
  const nominal = serviceMs.map((ms) => (maxConcurrency * 1_000) / ms);
  const nominalSum = nominal.reduce((sum, perSecond) => sum + perSecond, 0);
  const keepAllBusy = async () => {
    const batches = await Promise.all(perEndpoint.map((remote, index) => runBatch(Math.round((total * nominal[index]) / nominalSum), maxConcurrency, () => remote.runTask('cpu', 0))));
    return batches.reduce((sum, batch) => sum + batch.perSecond, 0);
  };
  const ownShares = serviceMs.map(() => 0);
  // CPU per call: this client's and the machines' process's, against the 2 cores the box has.
  const cpu = { clientMs: 0, machinesMs: 0, elapsedMs: 0, calls: 0 };
  const timersMs = serviceMs.map(() => 0);
  const placedBefore = Object.values(compute.stats().backends).map((backend) => backend.calls);
  for (let round = 0; round < rounds; round++) {
    await machines.takeServed();
    const ownRound = await runBatch(total, concurrency, () => oneBackend.runTask('cpu', 0));
    const { served, servedMs, cpuMs } = await machines.takeServedAndCpu();
    served.forEach((count, index) => (ownShares[index] += count));
    servedMs.forEach((ms, index) => (timersMs[index] += ms));
    Object.assign(cpu, { clientMs: cpu.clientMs + ownRound.cpuMs, machinesMs: cpu.machinesMs + cpuMs, elapsedMs: cpu.elapsedMs + ownRound.elapsedMs, calls: cpu.calls + total });
    own.push(ownRound);
    placed.push(await runBatch(total, concurrency, () => compute.runTask('cpu', 0)));
    measuredIdeal.push(await keepAllBusy());
  }
  const medianRound = (batches) => [...batches].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(batches.length / 2)];
  results[`${label}OwnChoicePerSecond`] = medianRound(own).perSecond;
  results[`${label}MeasuredIdealPerSecond`] = [...measuredIdeal].sort((a, b) => a - b)[Math.floor(measuredIdeal.length / 2)];
  // Per round, against the ideal measured in the same round: the box's speed changes between rounds.
  results[`${label}OwnChoiceOfMeasured`] = own.map((batch, round) => batch.perSecond / measuredIdeal[round]);
  results[`${label}PlacedOfMeasured`] = placed.map((batch, round) => batch.perSecond / measuredIdeal[round]);
  results[`${label}OwnChoiceFailed`] = own.reduce((sum, batch) => sum + batch.failed, 0);
  results[`${label}OwnChoiceShares`] = ownShares;
  // The ideal from the service times the machines actually gave (their timers fire late): the sum of
  // maxConcurrency / (mean time a call's timer took), over the own choice's rounds.
  results[`${label}ActualServiceMs`] = timersMs.map((ms, index) => ms / ownShares[index]);
  results[`${label}ActualIdealPerSecond`] = timersMs.reduce((sum, ms, index) => sum + (maxConcurrency * 1_000 * ownShares[index]) / ms, 0);
  results[`${label}OwnChoiceRounds`] = own.map((batch) => batch.perSecond);
  results[`${label}ClientCpuUsPerCall`] = (cpu.clientMs * 1_000) / cpu.calls;
  results[`${label}MachinesCpuUsPerCall`] = (cpu.machinesMs * 1_000) / cpu.calls;
  // Cores this client and the machines kept busy (of 2): far under 1, the bench itself does not saturate the box.
  results[`${label}CoresBusy`] = (cpu.clientMs + cpu.machinesMs) / cpu.elapsedMs;
  results[`${label}PlacedPerSecond`] = medianRound(placed).perSecond;
  results[`${label}PlacedFailed`] = placed.reduce((sum, batch) => sum + batch.failed, 0);
  results[`${label}PlacedShares`] = Object.values(compute.stats().backends).map((backend, index) => backend.calls - placedBefore[index]);
  await oneBackend.close();
  await compute.close();
  await machines.stop();
}
console.log(JSON.stringify(results));
