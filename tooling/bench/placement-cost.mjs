// Placement benchmark 6: the cost of choosing. ns per sequential call of a no-op through: a direct
// call; a router over one local backend (nothing to choose); 'auto' over worker + local + remote
// where the task settles on local (a real worker pool of 1 and a real compute server on 127.0.0.1,
// in this process: their probes, at most one per backend per 10 ms, are part of the cost; fakes
// that answered after a setImmediate were faster than local's rare, cold timed runs, and took a
// quarter of the calls in some runs); 'auto' over three backends none
// of which runs in place (three local backends under other names: a full choice and a followed
// promise every call); and 'ordered' over the same three. Interleaved rounds; prints the median
// round of each, in ns per call.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { startWorkerPool } from './placement-fixtures.mjs';

const calls = Number(process.env.BENCH_CALLS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 15);
const double = defineTask('double', async (n) => n * 2);
const make = (name) => createLocalBackend({ tasks: [double], name });
const worker = await startWorkerPool(1);
const server = createComputeServer({ tasks: [double] });
const { port } = await server.listen(0, '127.0.0.1');
const remote = createRemoteBackend({ endpoint: `http://127.0.0.1:${port}/compute` });
await remote.connect();
const context = { signal: new AbortController().signal };
const routers = {
  routerOverOne: createHybridCompute({ local: make('local') }),
  autoOverThreeSettledOnLocal: createHybridCompute({ worker, local: make('local'), remote }),
  autoOverThreeOffThread: createHybridCompute({ a: make('a'), b: make('b'), c: make('c') }),
  orderedOverThree: createHybridCompute({ a: make('a'), b: make('b'), c: make('c') }, { placement: 'ordered' }),
};
let sink = 0;
const subjects = {
  direct: async (count) => {
    for (let n = 0; n < count; n++) sink += await double.run(n, context);
  },
  ...Object.fromEntries(
    Object.entries(routers).map(([name, compute]) => [
      name,
      async (count) => {
        for (let n = 0; n < count; n++) sink += await compute.runTask('double', n);
      },
    ]),
  ),
};
for (const run of Object.values(subjects)) await run(50_000);
const perRound = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of Object.entries(subjects)) {
    const startedAt = process.hrtime.bigint();
    await run(calls);
    perRound[name].push(Number(process.hrtime.bigint() - startedAt) / calls);
  }
}
const results = {};
for (const [name, values] of Object.entries(perRound)) results[name] = values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const settled = routers.autoOverThreeSettledOnLocal.stats().tasks.double;
results.settledOnLocalShare = settled.local.calls / Object.values(settled).reduce((sum, pair) => sum + pair.calls, 0);
if (sink === -1) console.error(sink);
await Promise.all([worker.close(), remote.close()]);
await server.close();
console.log(JSON.stringify(results));
