// One process of `bench:tracing` (tracing-cost.mjs), in one mode
// (BENCH_TRACING): 'absent' (run under hide-otel-api.cjs: @opentelemetry/api
// cannot be found), 'installed' (the api is there, nothing registered: the
// state of an application that has the package but no SDK), or 'traced' (a
// provider, the AsyncLocalStorage context manager and the W3C propagator
// registered, the router given a tracer, every call inside a caller's span;
// spans are made and sampled but exported nowhere). Times a no-op call, one at
// a time, through the router to the local backend, to a worker thread, and
// over HTTP to a compute server in this process, and a three-chunk stream
// (`streamTask`) through the router to the local backend. Prints ns per call
// (per stream) as JSON.
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute, defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';
import { measureMedian } from './measure-median.mjs';

const mode = process.env.BENCH_TRACING ?? 'installed';
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const scale = Number(process.env.BENCH_SCALE ?? 1);

let tracer;
let inCallerSpan = (run) => run();
if (mode === 'traced') {
  const { context, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  tracer = trace.getTracer('bench');
  inCallerSpan = (run) =>
    tracer.startActiveSpan('caller', (span) =>
      run().finally(() => span.end()),
    );
} else if (mode === 'installed') {
  // Loaded, as an application's own instrumentation would load it, and nothing registered.
  await import('@opentelemetry/api');
}

const noop = defineTask('noop', (input) => input);
const threeChunks = defineTask('threeChunks', async function* (input) {
  yield input;
  yield input;
  yield input;
});
const options = tracer === undefined ? {} : { tracer };
const local = createHybridCompute({ local: createLocalBackend({ tasks: [noop, threeChunks] }) }, options);
const workerBackend = createWorkerBackend({ url: new URL('./pool-workers/hybrid-worker.mjs', import.meta.url), size: 1 });
await workerBackend.ready();
const worker = createHybridCompute({ worker: workerBackend }, options);
const server = createComputeServer({ tasks: [noop] });
const { url } = await server.listen(0, '127.0.0.1');
const remote = createHybridCompute({ remote: createRemoteBackend({ endpoint: url }) }, options);

let sink = 0;
const sequential = (compute) => (count) =>
  inCallerSpan(async () => {
    for (let n = 0; n < count; n++) sink += await compute.runTask('noop', n);
  });
const streamed = (compute) => (count) =>
  inCallerSpan(async () => {
    for (let n = 0; n < count; n++) for await (const chunk of compute.streamTask('threeChunks', n)) sink += chunk;
  });
const subjects = {
  local: { run: sequential(local), calls: 100_000 * scale },
  localStream: { run: streamed(local), calls: 20_000 * scale },
  worker: { run: sequential(worker), calls: 4_000 * scale },
  remoteHttp: { run: sequential(remote), calls: 1_000 * scale },
};

for (const { run, calls } of Object.values(subjects)) await run(Math.ceil(calls / 4));
const results = {};
for (const [name, { run, calls }] of Object.entries(subjects)) results[name] = await measureMedian(run, { calls, rounds });
await Promise.all([local.close(), worker.close(), remote.close(), server.close()]);
if (sink === -1) console.error(sink);
console.log(JSON.stringify(results));
