// Shared by the placement benchmarks: a worker pool on pool-workers/hybrid-worker.mjs, simulated
// machines in a child process, the 5 ms CPU task's calibration, and a batch runner.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { cpuWork } from './pool-workers/cpu-work.mjs';

/** Iterations of cpuWork that take about `targetMs` on this machine (median of 5 tries). */
export function calibrateCpuWork(targetMs = 5) {
  let iterations = 100_000;
  for (;;) {
    const startedAt = performance.now();
    cpuWork(iterations);
    const elapsed = performance.now() - startedAt;
    if (elapsed > 20) break;
    iterations *= 2;
  }
  const tries = [];
  for (let run = 0; run < 5; run++) {
    const startedAt = performance.now();
    cpuWork(iterations);
    tries.push(performance.now() - startedAt);
  }
  tries.sort((a, b) => a - b);
  return Math.round((iterations * targetMs) / tries[2]);
}

export async function startWorkerPool(size, options = {}) {
  const worker = createWorkerBackend({ url: new URL('./pool-workers/hybrid-worker.mjs', import.meta.url), size, ...options });
  await worker.ready();
  return worker;
}

/** Starts simulated machines (see simulated-machines.mjs); returns their URLs, takeServed(), slowDown() and stop(). */
export async function startSimulatedMachines({ serviceMs, maxConcurrency, iterations }) {
  const child = fork(fileURLToPath(new URL('./simulated-machines.mjs', import.meta.url)), [JSON.stringify({ serviceMs, maxConcurrency, iterations })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [{ ports }] = await once(child, 'message');
  return {
    urls: ports.map((port) => `http://127.0.0.1:${port}/compute`),
    /** The calls each machine answered since the last time this was asked. */
    async takeServed() {
      return (await this.takeServedAndCpu()).served;
    },
    /** The same, with the time their timers actually took and the CPU ms the machines' process spent meanwhile. */
    async takeServedAndCpu() {
      child.send({ takeServed: true });
      const [answer] = await once(child, 'message');
      return answer;
    },
    async slowDown(index, factor) {
      child.send({ slowDown: { index, factor } });
      await once(child, 'message');
    },
    async stop() {
      child.disconnect();
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

/**
 * Runs `total` calls of `runOne(index)` with `concurrency` in flight; returns the elapsed ms,
 * this process's CPU ms meanwhile, how many failed (with their codes), and the calls per second.
 */
export async function runBatch(total, concurrency, runOne) {
  let next = 0;
  const failures = {};
  const startedAt = performance.now();
  const cpuAt = process.cpuUsage();
  const lane = async () => {
    while (next < total) {
      const index = next++;
      try {
        await runOne(index);
      } catch (error) {
        const code = error?.code ?? String(error);
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsedMs = performance.now() - startedAt;
  const cpu = process.cpuUsage(cpuAt);
  return { elapsedMs, cpuMs: (cpu.user + cpu.system) / 1_000, perSecond: (total / elapsedMs) * 1000, failed: Object.values(failures).reduce((a, b) => a + b, 0), failures };
}

/**
 * STAND-IN until backend-remote reports load() and queues past the server's limit itself (another
 * change in flight): runs at most `capacity` calls at once on `remote` (the limit the server
 * advertises in GET /tasks), queues the rest here, and reports both as load().
 */
export function withAdvertisedLoad(remote, capacity) {
  let inFlight = 0;
  const waiting = [];
  const release = () => {
    inFlight--;
    waiting.shift()?.();
  };
  return {
    canRun: (taskName) => remote.canRun(taskName),
    async runTask(taskName, input, options) {
      if (inFlight >= capacity) await new Promise((resolve) => waiting.push(resolve));
      inFlight++;
      try {
        return await remote.runTask(taskName, input, options);
      } finally {
        release();
      }
    },
    load: () => ({ inFlight, capacity, queued: waiting.length }),
    close: () => remote.close(),
  };
}

/** Counts, per backend, the calls a router's onTaskSettled saw answered. */
export function createShareCounter() {
  const answeredBy = [];
  return {
    onTaskSettled(event) {
      if (event.outcome === 'fulfilled') answeredBy.push(event.backend);
    },
    answeredBy,
    take() {
      return answeredBy.splice(0);
    },
  };
}

export function countOf(list, value) {
  return list.filter((item) => item === value).length;
}
