// pnpm --filter @hybridcompute/bench run bench:placement: the six placement benchmarks, each in a
// fresh process, one after another; prints their figures as Markdown for BENCHMARKS.md. The
// machines some of them use are SIMULATED (compute servers whose task waits out a service time on a
// timer): more hardware than this box has, as the tables say.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const only = process.argv.slice(2);
const run = (name) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(new URL(`./placement-${name}.mjs`, import.meta.url))], { encoding: 'utf8' }));
const want = (name) => only.length === 0 || only.includes(name);
const x = (value) => `${value.toFixed(2)}x`;
const n = (value) => value.toFixed(0);
console.log(`Node ${process.version}. Provisional figures on a shared machine unless re-run quietly.\n`);

if (want('tiny')) {
  const r = run('tiny');
  console.log('### 1. Tiny tasks (a no-op), worker + local\n');
  console.log('| router | ns per call, sequential (best / median round) | calls/s, 64 in flight (median round) |');
  console.log('| --- | ---: | ---: |');
  for (const [key, label] of [['localAlone', 'local alone'], ['workerAlone', 'worker alone'], ['ordered', "'ordered' (worker first)"], ['auto', "'auto'"]]) {
    console.log(`| ${label} | ${n(r[`${key}BestNs`])} / ${n(r[`${key}MedianNs`])} | ${n(r[`${key}BatchedPerSecond`])} |`);
  }
  console.log(`\n'auto' against local alone: sequential ${x(r.localAloneMedianNs / r.autoMedianNs)} (best rounds ${x(r.localAloneBestNs / r.autoBestNs)}), 64 in flight ${x(r.autoBatchedPerSecond / r.localAloneBatchedPerSecond)}; calls on worker ${r.autoOnWorker}, on local ${r.autoOnLocal}.\n`);
}
if (want('cpu')) {
  const r = run('cpu');
  console.log(`### 2. CPU tasks of about 5 ms, worker pool of ${r.workers} + local (${r.calls} calls, 16 in flight, median of ${r.rounds} rounds)\n`);
  console.log('| router | makespan ms | event-loop delay p99 ms | failed |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [key, label] of [['workerAlone', 'worker alone'], ['localAlone', 'local alone'], ['ordered', "'ordered'"], ['auto', "'auto'"]]) {
    console.log(`| ${label} | ${n(r[`${key}Ms`])} | ${r[`${key}LoopP99Ms`].toFixed(1)} | ${r[`${key}Failed`]} |`);
  }
  console.log(`\n'auto' throughput against the worker alone: ${x(r.workerAloneMs / r.autoMs)}; calls on worker ${r.autoOnWorker}, on local ${r.autoOnLocal}; learned run time on the worker ${r.autoWorkerEstimateMs?.toFixed(1)} ms. (Local alone blocks the loop for the whole batch, so its delay histogram has almost no samples.)\n`);
}
if (want('capacity')) {
  const r = run('capacity');
  console.log(`### 3. Capacity adds up: worker pool of 1 + a SIMULATED machine (server, maxConcurrency 2, waits ${r.serviceMs.toFixed(1)} ms on a timer)\n`);
  console.log('| router | calls/s | failed |');
  console.log('| --- | ---: | ---: |');
  for (const [key, label] of [['workerAlone', 'worker alone'], ['remoteAlone', 'remote alone (2 in flight)'], ['ordered', "'ordered'"], ['auto', "'auto' (backend-remote reports load() and queues past the server's limit itself)"], ['autoWithLoad', "'auto', remote behind the earlier load() stand-in (for comparison)"]]) {
    console.log(`| ${label} | ${n(r[`${key}PerSecond`])} | ${r[`${key}Failed`]} |`);
  }
  console.log(`\n'auto' against the sum of the two alone in the same round, median of ${r.rounds} rounds: ${x(r.autoOfSumMedian)} (rounds: ${r.autoOfSumPerRound.map(x).join(', ')}; the worker alone measured ${r.workerAlonePerRound.map(n).join(', ')} calls/s, the simulated machine ${r.remoteAlonePerRound.map(n).join(', ')}).`);
  console.log(`\nSum of the two alone: ${n(r.sumAlonePerSecond)} calls/s. 'auto' ${x(r.autoPerSecond / r.sumAlonePerSecond)} of it (remote ${r.autoOnRemote}, worker ${r.autoOnWorker} attempts); with load() ${x(r.autoWithLoadPerSecond / r.sumAlonePerSecond)} (remote ${r.autoWithLoadOnRemote}, worker ${r.autoWithLoadOnWorker}); 'ordered' ${x(r.orderedPerSecond / r.workerAlonePerSecond)} the worker alone.\n`);
}
if (want('adapting')) {
  const r = run('adapting');
  console.log(`### 4. Adapting: the SIMULATED server's service time triples after ${r.slowedAfter} of ${r.calls} calls\n`);
  console.log(`Fair share of the server: ${r.fairShareBefore.toFixed(2)} before, ${r.fairShareAfter.toFixed(2)} after.\n`);
  const shares = r.autoRemoteSharePer100;
  console.log(`| calls | ${shares.map((_, index) => `${index * 100 + 1}–${(index + 1) * 100}`).join(' | ')} |`);
  console.log(`| --- | ${shares.map(() => '---:').join(' | ')} |`);
  console.log(`| server's share ('auto') | ${shares.map((share) => share.toFixed(2)).join(' | ')} |`);
  console.log(`\nWith remote behind the earlier load() stand-in: ${r.autoWithLoadRemoteSharePer100.map((share) => share.toFixed(2)).join(', ')}.\n`);
}
if (want('endpoints')) {
  const r = run('endpoints');
  console.log(`### 5. Several endpoints: four SIMULATED machines (10 ms on a timer, maxConcurrency ${r.maxConcurrency}), ${r.concurrency} calls in flight, median of ${r.rounds} interleaved rounds of ${r.calls} calls\n`);
  console.log('Ideals: nominal (the service times alone); actual (maxConcurrency / the mean time the timers really took, summed); measured (every machine kept at its limit at once by a backend of its own, no choice: service, timer lateness and a round trip per call).\n');
  console.log('| machines | ideal calls/s: nominal / actual / measured | one remote backend, its own endpoint choice | x nominal / actual / measured | failed | router over one backend per endpoint | failed |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [key, label] of [['oneSlow', 'one 5x slower'], ['equal', 'four equal']]) {
    const own = r[`${key}OwnChoicePerSecond`];
    const ideals = [r[`${key}IdealPerSecond`], r[`${key}ActualIdealPerSecond`], r[`${key}MeasuredIdealPerSecond`]];
    console.log(`| ${label} | ${ideals.map(n).join(' / ')} | ${n(own)} | ${ideals.map((ideal) => x(own / ideal)).join(' / ')} | ${r[`${key}OwnChoiceFailed`]} | ${n(r[`${key}PlacedPerSecond`])} (${x(r[`${key}PlacedPerSecond`] / ideals[1])} actual) | ${r[`${key}PlacedFailed`]} |`);
  }
  console.log(`\nTimers' mean service ms: one slow ${r.oneSlowActualServiceMs.map((ms) => ms.toFixed(1)).join(', ')}; equal ${r.equalActualServiceMs.map((ms) => ms.toFixed(1)).join(', ')}. Own choice per round, x measured: one slow ${r.oneSlowOwnChoiceOfMeasured.map(x).join(', ')}; equal ${r.equalOwnChoiceOfMeasured.map(x).join(', ')}. CPU per call, client / machines: ${r.oneSlowClientCpuUsPerCall.toFixed(0)} / ${r.oneSlowMachinesCpuUsPerCall.toFixed(0)} µs (one slow), ${r.equalClientCpuUsPerCall.toFixed(0)} / ${r.equalMachinesCpuUsPerCall.toFixed(0)} µs (equal).`);
  console.log(`\nCalls per machine, the remote backend's own choice: one slow ${r.oneSlowOwnChoiceShares.join(', ')}; equal ${r.equalOwnChoiceShares.join(', ')}. The router over one backend per endpoint: one slow ${r.oneSlowPlacedShares.join(', ')}; equal ${r.equalPlacedShares.join(', ')}.\n`);
}
if (want('cost')) {
  const r = run('cost');
  console.log('### 6. Cost of choosing (median round, ns per sequential call)\n');
  console.log('| path | ns | x direct | over the router over one |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [key, label] of [['direct', 'direct call'], ['routerOverOne', 'router over one local backend'], ['autoOverThreeSettledOnLocal', "'auto' over worker + local + remote, settled on local"], ['autoOverThreeOffThread', "'auto' over three, none in place (full choice every call)"], ['orderedOverThree', "'ordered' over three"]]) {
    console.log(`| ${label} | ${n(r[key])} | ${(r[key] / r.direct).toFixed(2)} | ${key === 'direct' ? '' : `+${n(r[key] - r.routerOverOne)}`} |`);
  }
  console.log('');
}
