// One process of `bench:worker:round-trip` (worker-round-trip.bench.mjs): the
// round trip of one call in flight (pool size 2, a no-op task), our worker
// backend against piscina and bare postMessage, all open in one process and
// measured in interleaved rounds, so that load from elsewhere on the machine
// hits every pool alike. Prints one JSON line: each pool's median p50.
//
// BENCH_ATOMICS=false opens our pools with `atomics: false` (no idle wake
// through Atomics), to see what that option buys.
//
// BENCH_COMPARE_MODULE / BENCH_COMPARE_WORKER add a second build of the
// backend (the module to import createWorkerBackend from, and a worker file
// for it): an A/B of a change to the package in one process.
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { Piscina } from 'piscina';
import { openRawPool } from './open-raw-pool.mjs';

const size = 2;
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const callsPerRound = Number(process.env.BENCH_CALLS ?? 400);
const worker = (name) => new URL(`./pool-workers/${name}`, import.meta.url);

async function openHybrid(create, url) {
  const backend = create({ url, size, atomics: process.env.BENCH_ATOMICS !== 'false' });
  await backend.ready();
  return { run: (value) => backend.runTask('noop', value), close: () => backend.close() };
}

const pools = {
  'hybrid (this build)': await openHybrid(createWorkerBackend, worker('hybrid-worker.mjs')),
  'piscina 5.3.2': await (async () => {
    const pool = new Piscina({ filename: worker('peer-worker.mjs').href, minThreads: size, maxThreads: size });
    return { run: (value) => pool.run({ task: 'noop', value }), close: () => pool.destroy() };
  })(),
  'bare postMessage': (() => {
    const pool = openRawPool(size);
    return { run: (value) => pool.run('noop', value), close: pool.close };
  })(),
};
if (process.env.BENCH_COMPARE_MODULE !== undefined) {
  const { createWorkerBackend: createOther } = await import(process.env.BENCH_COMPARE_MODULE);
  pools['hybrid (compared build)'] = await openHybrid(createOther, new URL(process.env.BENCH_COMPARE_WORKER, 'file:///'));
}

const p50s = Object.fromEntries(Object.keys(pools).map((name) => [name, []]));
const times = new Float64Array(callsPerRound);
for (let round = -3; round < rounds; round++) {
  for (const [name, pool] of Object.entries(pools)) {
    for (let index = 0; index < callsPerRound; index++) {
      const startedAt = performance.now();
      await pool.run(index);
      times[index] = performance.now() - startedAt;
    }
    // The first rounds warm up the JIT on both sides.
    if (round >= 0) p50s[name].push(times.slice().sort()[callsPerRound >> 1] * 1000);
  }
}
for (const pool of Object.values(pools)) await pool.close();

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
// One JSON line for worker-round-trip.bench.mjs: each pool's median p50 over this process's rounds.
console.log(JSON.stringify(Object.fromEntries(Object.entries(p50s).map(([name, values]) => [name, median(values)]))));
