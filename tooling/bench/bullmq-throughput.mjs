// One run of the BullMQ benchmark: no-op jobs per second with many calls in flight, and the
// round trip at one call in flight, through backend-bullmq and through BullMQ used directly
// (queue.add + job.waitUntilFinished). Prints JSON. Started by bullmq.bench.mjs.
import { readFileSync } from 'node:fs';
import { createBullmqBackend } from '@hybridcompute/backend-bullmq';
import { Queue, QueueEvents } from 'bullmq';

const { REDIS_URL, DIRECT_QUEUE, HYBRID_QUEUE, DIRECT_WORKER_PID, HYBRID_WORKER_PID } = process.env;
const jobs = Number(process.env.BENCH_JOBS ?? 3_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 200);
const sequential = Number(process.env.BENCH_SEQUENTIAL ?? 300);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
// The same retention for both, so that Redis does the same work.
const jobOptions = { removeOnComplete: { age: 3_600, count: 10_000 }, removeOnFail: { age: 86_400, count: 10_000 } };

const queue = new Queue(DIRECT_QUEUE, { connection: { url: REDIS_URL } });
const events = new QueueEvents(DIRECT_QUEUE, { connection: { url: REDIS_URL } });
// waitUntilFinished adds listeners per job to both: hundreds in flight are expected here.
queue.setMaxListeners(0);
events.setMaxListeners(0);
await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
const backend = createBullmqBackend({ connection: REDIS_URL, queue: HYBRID_QUEUE, tasks: ['noop'], timeout: 60_000, jobOptions });

// Under load BullMQ's own wait can miss a job's completion (its events stream is trimmed);
// such a call is counted as lost after 10 s instead of ending the run.
const lost = { direct: 0, hybrid: 0 };
const subjects = {
  direct: async (n) => {
    const job = await queue.add('noop', { n }, jobOptions);
    return job.waitUntilFinished(events, 10_000).catch(() => {
      lost.direct++;
      return n;
    });
  },
  hybrid: (n) =>
    backend.runTask('noop', n, { timeout: 10_000 }).catch(() => {
      lost.hybrid++;
      return n;
    }),
};

// CPU time per job, in the caller (this process) and in the path's worker process: steadier than
// jobs per second on a shared machine, as it does not count the time spent waiting for the others.
const workerPids = { direct: DIRECT_WORKER_PID, hybrid: HYBRID_WORKER_PID };
const clockTicksPerSecond = 100;
function workerCpuMicros(name) {
  try {
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat (Linux), in clock ticks.
    const fields = readFileSync(`/proc/${workerPids[name]}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicksPerSecond;
  } catch {
    return Number.NaN;
  }
}
const cpu = { direct: [], hybrid: [], directWorker: [], hybridWorker: [] };

async function measuredThroughput(name) {
  const caller = process.cpuUsage();
  const worker = workerCpuMicros(name);
  const jobsPerSecond = await throughput(subjects[name]);
  const used = process.cpuUsage(caller);
  cpu[name].push((used.user + used.system) / jobs);
  cpu[`${name}Worker`].push((workerCpuMicros(name) - worker) / jobs);
  return jobsPerSecond;
}

async function throughput(call) {
  let next = 0;
  const startedAt = performance.now();
  const lane = async () => {
    while (next < jobs) {
      const n = next++;
      if ((await call(n)) !== n) throw new Error(`job ${n} came back wrong`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return jobs / ((performance.now() - startedAt) / 1_000);
}

async function roundTripP50(call) {
  const times = [];
  for (let n = 0; n < sequential; n++) {
    const startedAt = performance.now();
    await call(n);
    times.push(performance.now() - startedAt);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// Warm both paths up, then alternate them so that neither always runs on a warmer Redis.
for (const call of Object.values(subjects)) await throughput(call);
lost.direct = 0;
lost.hybrid = 0;
const samples = { direct: [], hybrid: [], directP50: [], hybridP50: [] };
const ratios = [];
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of round % 2 === 0 ? Object.entries(subjects) : Object.entries(subjects).reverse()) {
    samples[name].push(await measuredThroughput(name));
    samples[`${name}P50`].push(await roundTripP50(call));
  }
  // Both paths of a round ran back to back, on the same machine load: their ratio is steadier than either figure.
  ratios.push(samples.hybrid[round] / samples.direct[round]);
}
console.log(
  JSON.stringify({
    directJobsPerSecond: median(samples.direct),
    hybridJobsPerSecond: median(samples.hybrid),
    directP50Ms: median(samples.directP50),
    hybridP50Ms: median(samples.hybridP50),
    throughputRatio: median(ratios),
    directCallerCpuMicrosPerJob: median(cpu.direct),
    hybridCallerCpuMicrosPerJob: median(cpu.hybrid),
    directWorkerCpuMicrosPerJob: median(cpu.directWorker),
    hybridWorkerCpuMicrosPerJob: median(cpu.hybridWorker),
    directLost: lost.direct,
    hybridLost: lost.hybrid,
  }),
);
await Promise.all([backend.close(), queue.close(), events.close()]);
