// One run: cost per call of compute.runTask('double', n) through the router and
// the local backend, against calling the task directly; prints JSON (ns per call).
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { measureMedian } from './measure-median.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 11);

const double = defineTask('double', async (n) => n * 2);
const local = createLocalBackend({ tasks: [double] });
const compute = createHybridCompute({ local });
const withDeadline = { timeout: 60_000 };
const observed = createHybridCompute({ local }, { onTaskStart() {}, onTaskSettled() {} });

const context = { signal: new AbortController().signal };
let sink = 0;
const subjects = {
  direct: async (count) => {
    for (let n = 0; n < count; n++) sink += await double.run(n, context);
  },
  router: async (count) => {
    for (let n = 0; n < count; n++) sink += await compute.runTask('double', n);
  },
  localAlone: async (count) => {
    for (let n = 0; n < count; n++) sink += await local.runTask('double', n);
  },
  routerWithTimeout: async (count) => {
    for (let n = 0; n < count; n++) sink += await compute.runTask('double', n, withDeadline);
  },
  routerWithHooks: async (count) => {
    for (let n = 0; n < count; n++) sink += await observed.runTask('double', n);
  },
};

// Warm every path up first so the JIT has settled before anything is timed.
for (const run of Object.values(subjects)) await run(50_000);

const results = {};
for (const [name, run] of Object.entries(subjects)) results[name] = await measureMedian(run, { calls, rounds });
if (sink === -1) console.error(sink);
console.log(JSON.stringify(results));
