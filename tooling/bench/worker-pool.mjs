// One run of the worker-pool benchmark for one pool (BENCH_SUBJECT: hybrid,
// piscina, tinypool or raw), pool size 2; prints JSON figures.
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { Piscina } from 'piscina';
import { Tinypool } from 'tinypool';
import { openRawPool } from './open-raw-pool.mjs';
import { cpuWork } from './pool-workers/cpu-work.mjs';

const subject = process.env.BENCH_SUBJECT ?? 'hybrid';
const size = 2;
const noopTasks = Number(process.env.BENCH_NOOP_TASKS ?? 20_000);
const inFlight = 64;
const roundTrips = Number(process.env.BENCH_ROUND_TRIPS ?? 2_000);
const cpuTasks = 200;
const worker = (name) => new URL(`./pool-workers/${name}`, import.meta.url);

async function open() {
  switch (subject) {
    case 'hybrid': {
      const perWorker = process.env.BENCH_PER_WORKER === undefined ? undefined : Number(process.env.BENCH_PER_WORKER);
      const backend = createWorkerBackend({ url: worker('hybrid-worker.mjs'), size, concurrentTasksPerWorker: perWorker });
      await backend.ready();
      return { run: (task, value) => backend.runTask(task, value), close: () => backend.close() };
    }
    case 'piscina': {
      const pool = new Piscina({ filename: worker('peer-worker.mjs').href, minThreads: size, maxThreads: size });
      return { run: (task, value) => pool.run({ task, value }), close: () => pool.destroy() };
    }
    case 'tinypool': {
      const pool = new Tinypool({ filename: worker('peer-worker.mjs').href, minThreads: size, maxThreads: size });
      return { run: (task, value) => pool.run({ task, value }), close: () => pool.destroy() };
    }
    case 'raw':
      return openRawPool(size);
    default:
      throw new Error(`unknown BENCH_SUBJECT ${subject}`);
  }
}

async function inParallel(pool, task, values, limit) {
  let next = 0;
  const lane = async () => {
    while (next < values.length) await pool.run(task, values[next++]);
  };
  await Promise.all(Array.from({ length: limit }, lane));
}

function calibrate() {
  // Iterations that take about 5 ms here, measured on the main thread.
  let iterations = 100_000;
  for (;;) {
    const startedAt = performance.now();
    cpuWork(iterations);
    const elapsed = performance.now() - startedAt;
    if (elapsed > 20) return Math.round((iterations * 5) / elapsed);
    iterations *= 2;
  }
}

const iterations = calibrate();
const pool = await open();
// Warm-up: JIT on both sides, workers started.
await inParallel(pool, 'noop', Array.from({ length: 5_000 }, (_, index) => index), inFlight);
await inParallel(pool, 'cpu', Array.from({ length: 10 }, () => iterations), size);

let startedAt = performance.now();
await inParallel(pool, 'noop', Array.from({ length: noopTasks }, (_, index) => index), inFlight);
const noopPerSec = noopTasks / ((performance.now() - startedAt) / 1000);

const samples = [];
for (let index = 0; index < roundTrips; index++) {
  const callStartedAt = performance.now();
  await pool.run('noop', index);
  samples.push(performance.now() - callStartedAt);
}
samples.sort((a, b) => a - b);
const roundTripP50Us = samples[Math.floor(samples.length / 2)] * 1000;

startedAt = performance.now();
for (let index = 0; index < cpuTasks; index++) cpuWork(iterations);
const serialMs = performance.now() - startedAt;
startedAt = performance.now();
await inParallel(pool, 'cpu', Array.from({ length: cpuTasks }, () => iterations), cpuTasks);
const pooledMs = performance.now() - startedAt;

await pool.close();
console.log(JSON.stringify({ noopPerSec, roundTripP50Us, cpuSpeedup: serialMs / pooledMs, serialMs, pooledMs }));
