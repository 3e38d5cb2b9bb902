// pnpm --filter @hybridcompute/bench run bench:bullmq:recovery: how long the callers of a SIGKILLed
// bullmq worker wait for their answers. Each run starts two worker processes on a fresh queue,
// sends CALLS calls of a HOLD_MS task, SIGKILLs one worker as soon as it has started a job (so its
// lock has its whole lockDuration left: the slow case), and times from the kill until every call
// has settled (the dead worker's jobs run again on the other).
// Prints the median over RUNS runs. On a redis-server this script starts unless
// HYBRIDCOMPUTE_REDIS_URL names one. LOCK_DURATION / STALLED_INTERVAL override the workers'
// defaults (30000 / 30000 gives BullMQ's own, for comparison).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBullmqBackend } from '@hybridcompute/backend-bullmq';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const calls = Number(process.env.CALLS ?? 8);
const holdMs = Number(process.env.HOLD_MS ?? 500);
// The default stalledInterval: the cycle the kill's moment is spread over.
const offsetSpreadMs = Number(process.env.OFFSET_SPREAD_MS ?? 1_000);
const workerScript = fileURLToPath(new URL('./bullmq-recovery-worker.mjs', import.meta.url));
const children = new Set();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a process, resolves once its stdout shows `marker`; `onLine` sees every line after. */
function start(command, args, env, marker, onLine = () => {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    let ready = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      let newline;
      while ((newline = output.indexOf('\n')) !== -1) {
        const line = output.slice(0, newline);
        output = output.slice(newline + 1);
        if (!ready && line.includes(marker)) {
          ready = true;
          resolve(child);
        } else if (ready) onLine(line);
      }
    });
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`${command} exited (${code ?? signal}) before it was ready`));
    });
  });
}

function stop(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  return exited;
}

/** One run: milliseconds from the kill until the last call settled, and whether every call got its own answer. */
async function measureOnce(redisUrl, run) {
  const queue = `bench-recovery-${process.pid}-${run}`;
  const env = { REDIS_URL: redisUrl, QUEUE: queue };
  let onDoomedActive = () => {};
  const doomedStarted = new Promise((resolve) => (onDoomedActive = resolve));
  const doomed = await start(process.execPath, [workerScript], env, 'ready', (line) => line.startsWith('active ') && onDoomedActive());
  const survivor = await start(process.execPath, [workerScript], env, 'ready');
  const backend = createBullmqBackend({ connection: redisUrl, queue, timeout: 120_000 });
  try {
    // The workers' stalled checks start when they do: without an offset, every run's kill would fall
    // at the same point of the check cycle. Runs spread it evenly over OFFSET_SPREAD_MS.
    await new Promise((resolve) => setTimeout(resolve, (offsetSpreadMs * run) / runs));
    const settledAt = new Array(calls);
    const pending = Array.from({ length: calls }, (_, value) =>
      backend.runTask('hold', { value, ms: holdMs }).then(
        (result) => ((settledAt[value] = performance.now()), result),
        (error) => ((settledAt[value] = performance.now()), { error }),
      ),
    );
    await doomedStarted;
    const killedAt = performance.now();
    await stop(doomed, 'SIGKILL');
    const results = await Promise.all(pending);
    const right = results.every((result, value) => result.value === value && result.pid === survivor.pid);
    return { killToLastAnswerMs: Math.max(...settledAt) - killedAt, right };
  } finally {
    await backend.close();
    await stop(survivor, 'SIGTERM');
    await stop(doomed, 'SIGKILL');
  }
}

let dir;
let redisUrl = process.env.HYBRIDCOMPUTE_REDIS_URL;
try {
  if (!redisUrl) {
    dir = mkdtempSync(join(tmpdir(), 'hybridcompute-bench-redis-'));
    const port = await freePort();
    await start('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], {}, 'Ready to accept connections');
    redisUrl = `redis://127.0.0.1:${port}`;
  }
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const sample = await measureOnce(redisUrl, run);
    samples.push(sample);
    console.error(`run ${run + 1}/${runs}: ${(sample.killToLastAnswerMs / 1000).toFixed(2)} s${sample.right ? '' : ' (some call got a wrong answer or an error)'}`);
  }
  const times = samples.map((sample) => sample.killToLastAnswerMs).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const settings = process.env.LOCK_DURATION || process.env.STALLED_INTERVAL
    ? `lockDuration ${process.env.LOCK_DURATION || 'default'}, stalledInterval ${process.env.STALLED_INTERVAL || 'default'}`
    : "the package's defaults";
  console.log(`Node ${process.version}; ${runs} runs; two worker processes at concurrency 4, ${calls} calls of a ${holdMs} ms task, one worker SIGKILLed as soon as it holds a job (its lock fresh), at moments spread over ${offsetSpreadMs} ms of the stalled-check cycle; ${settings}.\n`);
  console.log('| from the SIGKILL to the last caller\'s answer | median | range |');
  console.log('| --- | ---: | ---: |');
  console.log(`| seconds | ${(median / 1000).toFixed(2)} | ${(times[0] / 1000).toFixed(2)}–${(times.at(-1) / 1000).toFixed(2)} |`);
  const wrong = samples.filter((sample) => !sample.right).length;
  console.log(`\nRuns where a call got a wrong answer or an error: ${wrong} of ${runs}.`);
} finally {
  for (const child of [...children].reverse()) await stop(child, 'SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
