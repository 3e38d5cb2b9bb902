// pnpm --filter @hybridcompute/bench bench:runtimes: the runtime table of BENCHMARKS.md
// ("Runtimes") in one command. Runs the same three benchmarks as their own scripts
// (bench:worker, bench:worker:round-trip, bench:remote), once per runtime, one runtime after
// another, each started with that runtime's binary (so their child processes, pools and servers
// run on it too), reads the rows it needs from the tables they print and prints one table.
//
// The settings are BENCHMARKS.md's: smaller than each script's defaults. Any BENCH_* variable in
// the environment overrides them; BENCH_RUNTIMES=node,deno picks the runtimes.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
/** How each runtime runs a script: the Node that runs this, and the pinned Bun and Deno binaries. */
const runtimes = {
  node: { command: process.execPath, args: [] },
  bun: { command: `${root}node_modules/bun/bin/bun.exe`, args: [] },
  deno: { command: `${root}node_modules/deno/deno`, args: ['run', '-A'] },
};
const chosen = (process.env.BENCH_RUNTIMES ?? 'node,bun,deno').split(',');

const benchmarks = {
  worker: { script: 'worker-pool.bench.mjs', settings: { BENCH_RUNS: '3', BENCH_PER_WORKER_TABLE: 'false' } },
  roundTrip: { script: 'worker-round-trip.bench.mjs', settings: { BENCH_PROCESSES: '5' } },
  remote: { script: 'remote-throughput.bench.mjs', settings: { BENCH_RUNS: '3', BENCH_CALLS: '4000', BENCH_ROUNDS: '3' } },
};
// tinypool 2.2.0 hangs on Deno 2.9: its column is not in this table anyway.
const perRuntimeSettings = { deno: { worker: { BENCH_SUBJECTS: 'hybrid,piscina,raw' } } };

/** Runs one benchmark script on `runtime`; returns what it printed, its progress echoed to stderr. */
function runBenchmark(runtime, name) {
  const { command, args } = runtimes[runtime];
  const { script, settings } = benchmarks[name];
  const env = { ...settings, ...perRuntimeSettings[runtime]?.[name] };
  for (const key of Object.keys(env)) if (process.env[key] !== undefined) env[key] = process.env[key];
  console.error(`${runtime}: ${Object.entries(env).map(([key, value]) => `${key}=${value}`).join(' ')} ${script}`);
  const run = spawnSync(command, [...args, script], { cwd: here, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`${script} on ${runtime} exited with ${run.status ?? run.signal}`);
  return run.stdout;
}

/** The cells of the Markdown row whose first cell starts with `label`, trimmed. */
function rowOf(output, label) {
  const line = output.split('\n').find((row) => row.startsWith(`| ${label}`));
  if (line === undefined) throw new Error(`no row '${label}' in:\n${output}`);
  return line.split('|').slice(1, -1).map((cell) => cell.trim());
}

const grouped = (value) => Number(value).toLocaleString('en-US');
const rows = [];
for (const runtime of chosen) {
  if (runtimes[runtime] === undefined) throw new Error(`BENCH_RUNTIMES: one or more of ${Object.keys(runtimes).join(', ')}, got '${runtime}'`);
  if (!existsSync(runtimes[runtime].command)) throw new Error(`${runtimes[runtime].command} is missing: run pnpm install`);
  const worker = runBenchmark(runtime, 'worker');
  const label = worker.split('\n')[0].split(';')[0].replace(/^Node v/, 'Node ');
  const pool = rowOf(worker, '@hybridcompute/backend-worker');
  const trip = rowOf(runBenchmark(runtime, 'roundTrip'), 'hybrid (this build)');
  const remote = runBenchmark(runtime, 'remote');
  const http = rowOf(remote, 'ours over HTTP');
  const websocket = rowOf(remote, 'ours over WebSocket');
  // On Bun the floor of bench:remote is Bun's own fetch to the bare handler (Bun's undici is partial).
  const floor = runtime === 'bun' ? "Bun's bare `fetch`" : 'raw undici';
  rows.push(
    `| ${label} | ${grouped(pool[1])} | ${pool[3]} | ${trip[1]} µs (${trip[3]} processes fast) | ${trip[6]} | ${grouped(http[1])} (${http[3]}x ${floor}) | ${grouped(websocket[1])} |`,
  );
}

console.log('| runtime | worker no-op tasks/s (64 in flight) | x piscina | worker round trip p50 | x piscina (per-process) | remote HTTP calls/s | remote WebSocket calls/s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const row of rows) console.log(row);
