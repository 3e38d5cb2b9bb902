// An A/B of backend-worker builds from several checkouts: the no-op throughput of bench:worker
// (pool size 2, 64 in flight, 20,000 calls after 5,000 of warm-up), one fresh process per
// checkout per round, interleaved, and the CPU each call cost: the main thread's and the whole
// process's (workers and GC threads included), read from /proc (Linux). CPU per call moves far
// less than throughput on a busy machine. Each root is a repository root with its packages built.
//   node tooling/bench/worker-build-ab.mjs /path/to/round-one /path/to/this-checkout
// BENCH_RUNS rounds (default 8); BENCH_NOOP_TASKS calls per process. Prints one line per root.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const calls = Number(process.env.BENCH_NOOP_TASKS ?? 20_000);

if (process.env.WORKER_AB_ROOT !== undefined) {
  await measure(process.env.WORKER_AB_ROOT);
} else {
  const roots = process.argv.slice(2);
  if (roots.length === 0) {
    console.error('name one or more repository roots');
    process.exit(2);
  }
  const samples = roots.map(() => []);
  for (let round = 0; round < Number(process.env.BENCH_RUNS ?? 8); round++) {
    roots.forEach((root, index) => {
      const output = execFileSync(process.execPath, [new URL(import.meta.url).pathname], { env: { ...process.env, WORKER_AB_ROOT: root }, encoding: 'utf8' });
      samples[index].push(JSON.parse(output));
    });
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const base = median(samples[0].map((sample) => sample.noopPerSec));
  roots.forEach((root, index) => {
    const of = (key) => median(samples[index].map((sample) => sample[key]));
    console.log(
      `${root}: ${of('noopPerSec').toFixed(0)} tasks/s (x${(of('noopPerSec') / base).toFixed(2)} the first), CPU per call: main thread ${of('mainUs').toFixed(2)} µs, process ${of('processUs').toFixed(2)} µs`,
    );
  });
}

async function measure(root) {
  const { createWorkerBackend } = await import(pathToFileURL(`${root}/packages/backend-worker/dist/node/index.js`).href);
  const backend = createWorkerBackend({ url: pathToFileURL(`${root}/tooling/bench/pool-workers/hybrid-worker.mjs`), size: 2 });
  await backend.ready();
  const inParallel = async (count) => {
    let next = 0;
    const lane = async () => {
      while (next++ < count) await backend.runTask('noop', next);
    };
    await Promise.all(Array.from({ length: 64 }, lane));
  };
  await inParallel(5_000);
  const mainBefore = mainThreadCpuUs();
  const processBefore = process.cpuUsage();
  const startedAt = performance.now();
  await inParallel(calls);
  const noopPerSec = calls / ((performance.now() - startedAt) / 1000);
  const processCpu = process.cpuUsage(processBefore);
  const mainUs = (mainThreadCpuUs() - mainBefore) / calls;
  await backend.close();
  console.log(JSON.stringify({ noopPerSec, mainUs, processUs: (processCpu.user + processCpu.system) / calls }));
}

// The main thread's user and system time in µs, from /proc/self/task/<pid>/stat (clock ticks of 10 ms).
function mainThreadCpuUs() {
  if (!readdirSync('/proc/self/task').includes(String(process.pid))) return 0;
  const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
