// Cost per call of compute.runTask('double', n) through the router and the local
// backend, against calling the task directly, sequential calls in one process.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { measureMedian } from './measure-median.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 200_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);

const double = defineTask('double', async (n) => n * 2);
const local = createLocalBackend({ tasks: [double] });
const compute = createHybridCompute({ local });
const withDeadline = { timeout: 60_000 };
const observed = createHybridCompute({ local }, { onTaskStart() {}, onTaskSettled() {} });

const context = { signal: new AbortController().signal };
let sink = 0;
const subjects = {
  'direct: await task.run(n)': async (count) => {
    for (let n = 0; n < count; n++) sink += await double.run(n, context);
  },
  "router + local: await compute.runTask('double', n)": async (count) => {
    for (let n = 0; n < count; n++) sink += await compute.runTask('double', n);
  },
  "local alone: await local.runTask('double', n)": async (count) => {
    for (let n = 0; n < count; n++) sink += await local.runTask('double', n);
  },
  'router + local, with { timeout }': async (count) => {
    for (let n = 0; n < count; n++) sink += await compute.runTask('double', n, withDeadline);
  },
  'router + local, with hooks': async (count) => {
    for (let n = 0; n < count; n++) sink += await observed.runTask('double', n);
  },
};

// Warm every path up first so the JIT has settled before anything is timed.
for (const run of Object.values(subjects)) await run(50_000);

const results = {};
for (const [name, run] of Object.entries(subjects)) results[name] = await measureMedian(run, { calls, rounds });

const direct = results['direct: await task.run(n)'];
console.log(`node ${process.version}, ${calls} sequential calls x ${rounds} rounds, median ns per call`);
console.log('| path | ns/call | x direct |');
console.log('| --- | ---: | ---: |');
for (const [name, ns] of Object.entries(results)) console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns / direct).toFixed(2)} |`);
if (sink === -1) console.log(sink);
