// pnpm --filter @hybridcompute/bench run bench:bullmq: backend-bullmq against BullMQ used directly,
// on a redis-server this script starts (AOF on) unless HYBRIDCOMPUTE_REDIS_URL names one; one
// worker process per path at concurrency 50. Prints a Markdown table for BENCHMARKS.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { medianOverProcesses } from './run-in-processes.mjs';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const children = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function startAndWaitFor(command, args, env, marker) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      if (output.includes(marker)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)));
  });
}

let dir;
let redisUrl = process.env.HYBRIDCOMPUTE_REDIS_URL;
try {
  if (!redisUrl) {
    dir = mkdtempSync(join(tmpdir(), 'hybridcompute-bench-redis-'));
    const port = await freePort();
    await startAndWaitFor('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {}, 'Ready to accept connections');
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const suffix = `${process.pid}-${Date.now()}`;
  const queues = { DIRECT_QUEUE: `bench-direct-${suffix}`, HYBRID_QUEUE: `bench-hybrid-${suffix}` };
  const worker = here('./bullmq-bench-worker.mjs');
  const directWorker = await startAndWaitFor(process.execPath, [worker], { MODE: 'direct', REDIS_URL: redisUrl, QUEUE: queues.DIRECT_QUEUE }, 'ready');
  const hybridWorker = await startAndWaitFor(process.execPath, [worker], { MODE: 'hybrid', REDIS_URL: redisUrl, QUEUE: queues.HYBRID_QUEUE }, 'ready');
  const pids = { DIRECT_WORKER_PID: String(directWorker.pid), HYBRID_WORKER_PID: String(hybridWorker.pid) };

  const { medians, samples } = medianOverProcesses(here('./bullmq-throughput.mjs'), runs, { REDIS_URL: redisUrl, ...queues, ...pids });
  const range = (key, digits) => `${Math.min(...samples.map((s) => s[key])).toFixed(digits)}–${Math.max(...samples.map((s) => s[key])).toFixed(digits)}`;
  console.log(`Node ${process.version}; ${runs} processes, each the median of 3 alternating rounds; one worker process per path at concurrency 50.\n`);
  console.log('| path | no-op jobs/s, 200 in flight (median) | range | round trip p50, 1 in flight (ms) | range |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| BullMQ directly: \`queue.add\` + \`job.waitUntilFinished\` | ${medians.directJobsPerSecond.toFixed(0)} | ${range('directJobsPerSecond', 0)} | ${medians.directP50Ms.toFixed(2)} | ${range('directP50Ms', 2)} |`);
  console.log(`| backend-bullmq: \`backend.runTask('noop', n)\` | ${medians.hybridJobsPerSecond.toFixed(0)} | ${range('hybridJobsPerSecond', 0)} | ${medians.hybridP50Ms.toFixed(2)} | ${range('hybridP50Ms', 2)} |`);
  const micros = (value) => (Number.isNaN(value) ? 'n/a' : value.toFixed(1));
  console.log('\n| path | caller CPU per job (µs, median) | worker CPU per job (µs, median) |');
  console.log('| --- | ---: | ---: |');
  console.log(`| BullMQ directly | ${micros(medians.directCallerCpuMicrosPerJob)} | ${micros(medians.directWorkerCpuMicrosPerJob)} |`);
  console.log(`| backend-bullmq | ${micros(medians.hybridCallerCpuMicrosPerJob)} | ${micros(medians.hybridWorkerCpuMicrosPerJob)} |`);
  const lostDirect = samples.reduce((total, sample) => total + sample.directLost, 0);
  const lostHybrid = samples.reduce((total, sample) => total + sample.hybridLost, 0);
  console.log(`\nCalls that got no answer within 10 s, over all runs: BullMQ directly ${lostDirect}, backend-bullmq ${lostHybrid}.`);
  console.log(
    `\nThroughput ratio, backend-bullmq / BullMQ directly, per round then the median: **${medians.throughputRatio.toFixed(2)}x** (range over runs ${range('throughputRatio', 2)}; target at least 0.9x).`,
  );
} finally {
  for (const child of children.reverse()) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
