// Placement benchmark 2: synchronous CPU tasks of about 5 ms, worker pool + local. 'auto' against
// the worker alone, local alone and 'ordered': makespan of a batch, and the caller's event-loop
// delay meanwhile (monitorEventLoopDelay, p99). Prints JSON.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { calibrateCpuWork, runBatch, startWorkerPool } from './placement-fixtures.mjs';
import { cpuWork } from './pool-workers/cpu-work.mjs';

const total = Number(process.env.BENCH_CALLS ?? 200);
const size = Number(process.env.BENCH_WORKERS ?? 2);
const iterations = calibrateCpuWork(5);
const cpu = defineTask('cpu', (count) => cpuWork(count));
const local = createLocalBackend({ tasks: [cpu] });
const worker = await startWorkerPool(size);

const routers = {
  workerAlone: createHybridCompute({ worker }),
  localAlone: createHybridCompute({ local }),
  ordered: createHybridCompute({ worker, local }, { placement: 'ordered' }),
  auto: createHybridCompute({ worker, local }),
};
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const results = { iterations, workers: size, calls: total, rounds };
const samples = Object.fromEntries(Object.keys(routers).map((name) => [name, { ms: [], p99: [], failed: 0 }]));
for (const compute of Object.values(routers)) await runBatch(10, 4, () => compute.runTask('cpu', iterations));
// Interleaved rounds, medians reported: one noisy moment on a shared machine does not decide a figure.
for (let round = 0; round < rounds; round++) {
  for (const [name, compute] of Object.entries(routers)) {
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const { elapsedMs, failed } = await runBatch(total, 16, () => compute.runTask('cpu', iterations));
    delay.disable();
    samples[name].ms.push(elapsedMs);
    samples[name].p99.push(delay.percentile(99) / 1e6);
    samples[name].failed += failed;
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [name, { ms, p99, failed }] of Object.entries(samples)) {
  results[`${name}Ms`] = median(ms);
  results[`${name}LoopP99Ms`] = median(p99);
  results[`${name}Failed`] = failed;
}
const stats = routers.auto.stats().tasks.cpu;
results.autoOnWorker = stats.worker?.calls ?? 0;
results.autoOnLocal = stats.local?.calls ?? 0;
// What 'auto' learned the task takes on the worker: its run time, the wait behind the calls ahead corrected out.
results.autoWorkerEstimateMs = stats.worker?.estimateMs;
await worker.close();
console.log(JSON.stringify(results));
