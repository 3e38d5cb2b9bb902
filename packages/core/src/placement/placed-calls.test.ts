import { describe, expect, it } from 'vitest';
import { ComputeError } from '../compute-error.js';
import { createHybridCompute } from '../create-hybrid-compute.js';
import { countBy, routerOver, runBatch, simulatedLocal, simulatedMachine, VirtualClock } from './placement-simulation.js';

describe("placement 'fastest'", () => {
  it('starts in the default order with nothing learned, passing over a backend at capacity', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 });
    const { compute, starts } = routerOver(clock, { remote, worker });
    const outcomes = runBatch(clock, compute, 4, 4);
    expect(starts.map(({ backend, reason }) => `${backend}:${reason}`)).toEqual([
      'worker:default-order',
      'worker:default-order',
      'remote:default-order',
      'remote:default-order',
    ]);
    expect(await outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('adds up the capacity of equal backends: a batch takes half as long as on one', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 });
    const { compute } = routerOver(clock, { worker, remote });
    const outcomes = await runBatch(clock, compute, 80, 8);
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(80);
    // 80 calls of 10 ms in four slots: 200 ms at best; one backend alone takes 400.
    expect(clock.now).toBeLessThanOrEqual(230);
    expect(worker.served).toBeGreaterThanOrEqual(30);
    expect(remote.served).toBeGreaterThanOrEqual(30);
  });

  it('models the wait on what a backend runs at once, not on the calls it admits (a pool that pipelines)', async () => {
    const makespanOf = async (reportsParallelism: boolean) => {
      const clock = new VirtualClock();
      // A pool of 2 workers taking 8 calls each: 16 admitted, 2 running. The server beside it runs 2.
      const worker = simulatedMachine(clock, 'worker', { capacity: 16, runsAtOnce: 2, reportsParallelism, serviceMs: 10 });
      const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 });
      const { compute } = routerOver(clock, { worker, remote });
      const outcomes = await runBatch(clock, compute, 200, 12);
      expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(200);
      return { makespan: clock.now, onRemote: remote.served };
    };
    const told = await makespanOf(true);
    // 200 calls of 10 ms in four slots: 500 ms at best; the worker alone needs 1000.
    expect(told.makespan).toBeLessThan(600);
    expect(told.onRemote).toBeGreaterThan(70);
    // Taking the 16 admitted as 16 slots, the pool looks free and keeps most of the batch.
    const untold = await makespanOf(false);
    expect(untold.makespan).toBeGreaterThan(told.makespan);
  });

  it('gives a faster backend more of a batch, about in proportion to its throughput', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 30 });
    const { compute } = routerOver(clock, { worker, remote });
    await runBatch(clock, compute, 200, 8);
    // Throughputs 0.2 and 0.067 calls/ms: the worker's fair share is 3/4.
    expect(worker.served / 200).toBeGreaterThan(0.65);
    expect(remote.served).toBeGreaterThan(10);
    // The makespan is near the ideal of 200 calls at 0.267 calls/ms (750 ms); the worker alone needs 1000.
    expect(clock.now).toBeLessThan(900);
  });

  it('moves traffic away from a backend that slows down, within a couple of hundred calls', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: (started) => (started < 100 ? 10 : 30) });
    const { compute, starts } = routerOver(clock, { worker, remote });
    await runBatch(clock, compute, 600, 8);
    const remoteShare = (from: number, to: number) => countBy(starts.slice(from, to), 'remote') / (to - from);
    expect(remoteShare(0, 150)).toBeGreaterThan(0.4);
    // Its fair share after tripling is 1/4 of the calls.
    expect(remoteShare(400, 600)).toBeLessThan(0.33);
    expect(remoteShare(400, 600)).toBeGreaterThan(0.1);
  });

  it('runs a tiny task in place once local is learned, and keeps probing the others rarely', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 4, serviceMs: 0.05 });
    const local = simulatedLocal(clock, 0.001);
    const { compute, starts } = routerOver(clock, { worker, local });
    await runBatch(clock, compute, 400, 1);
    expect(countBy(starts.slice(0, 8), 'worker')).toBe(8);
    expect(starts[8]).toMatchObject({ backend: 'local', reason: 'exploring' });
    expect(local.served).toBeGreaterThan(380);
    expect(starts.slice(9).every((event) => event.backend === 'local')).toBe(true);
    // A second later by the clock, the worker is probed again, once.
    clock.now += 1_500;
    await runBatch(clock, compute, 40, 1);
    expect(countBy(starts.slice(400), 'worker')).toBe(1);
    expect(starts.slice(400).find((event) => event.backend === 'worker')?.reason).toBe('exploring');
  });

  it('keeps a task settled on local in place with local mid-order and no hooks, and moves a refusal there on', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 4, serviceMs: 0.05 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 4, serviceMs: 0.05 });
    const local = simulatedLocal(clock, 0.001);
    // No hooks: the calls settled on local take the router's shortest path, which must still move a refusal on.
    const compute = createHybridCompute({ worker, local, remote }, { now: () => clock.now });
    await runBatch(clock, compute, 400, 1);
    expect(local.served).toBeGreaterThan(380);
    local.runTask = () => Promise.reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'local is closing', backend: 'local' }));
    const servedBefore = worker.served + remote.served;
    expect(await runBatch(clock, compute, 10, 1)).toEqual(Array.from({ length: 10 }, () => 'ok'));
    expect(worker.served + remote.served - servedBefore).toBe(10);
    expect(compute.stats().tasks['t']?.['local']?.calls).toBeGreaterThan(local.served);
  });

  it('keeps a task over the local budget off the caller thread while another backend can take it', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, serviceMs: 6, tasks: ['t'] });
    const local = simulatedLocal(clock, 5);
    const { compute, starts } = routerOver(clock, { worker, local });
    await runBatch(clock, compute, 100, 4);
    expect(countBy(starts, 'local')).toBe(0);
    expect(worker.served).toBe(100);
    // Learned over budget on local (an explicit call), it stays off even when the worker is busy.
    await compute.runTask('t', 0, 'local');
    await runBatch(clock, compute, 50, 8);
    expect(local.served).toBe(1);
  });

  it('spreads short tasks off the thread once local runs keep it busy', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 0.6 });
    const local = simulatedLocal(clock, 0.5, { answerOnNextTurn: true });
    const { compute } = routerOver(clock, { worker, local });
    // Both learned first, one call at a time, as in a program that has been running.
    await runBatch(clock, compute, 20, 1);
    worker.served = 0;
    local.served = 0;
    const startedAt = clock.now;
    expect(await runBatch(clock, compute, 400, 8)).toEqual(Array(400).fill('ok'));
    // Local alone would hold the thread for all 200 ms; the worker's two slots take a good part.
    expect(local.served).toBeGreaterThan(40);
    expect(worker.served).toBeGreaterThan(120);
    expect(clock.now - startedAt).toBeLessThan(150);
  });

  it('runs a long task on local when no other backend can take it', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, serviceMs: 6, tasks: ['other'] });
    const local = simulatedLocal(clock, 5);
    const { compute } = routerOver(clock, { worker, local });
    expect(await runBatch(clock, compute, 20, 2)).toEqual(Array(20).fill('ok'));
    expect(local.served).toBe(20);
  });

  it('moves a call that comes back QUEUE_FULL on to another backend, losing none', async () => {
    const clock = new VirtualClock();
    // Says nothing of its capacity, so placement learns it is full only from the answer.
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, queueLimit: 0, serviceMs: 10, reportsLoad: false });
    const remote = simulatedMachine(clock, 'remote', { capacity: 8, serviceMs: 10 });
    const { compute, starts } = routerOver(clock, { worker, remote });
    const outcomes = await runBatch(clock, compute, 60, 6);
    expect(outcomes).toEqual(Array(60).fill('ok'));
    expect(worker.served + remote.served).toBe(60);
    const callsMoved = starts.filter((event) => event.reason === 'spill-over' && event.backend === 'remote');
    expect(callsMoved.length).toBeGreaterThan(0);
  });

  it("under 'ordered', answers QUEUE_FULL as it is", async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, queueLimit: 0, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 8, serviceMs: 10 });
    const { compute } = routerOver(clock, { worker, remote }, { placement: 'ordered' });
    const outcomes = await runBatch(clock, compute, 4, 4);
    expect(outcomes).toEqual(['ok', 'QUEUE_FULL', 'QUEUE_FULL', 'QUEUE_FULL']);
    expect(remote.served).toBe(0);
  });

  it('leaves out a backend that answered BACKEND_UNAVAILABLE for a while, trying it again later', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 1 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 1 });
    worker.down = true;
    const { compute, starts } = routerOver(clock, { worker, remote });
    const outcomes = await runBatch(clock, compute, 40, 1);
    expect(outcomes).toEqual(Array(40).fill('ok'));
    const workerAttempts = starts.filter((event) => event.backend === 'worker');
    expect(workerAttempts.length).toBeGreaterThanOrEqual(2);
    expect(workerAttempts.length).toBeLessThanOrEqual(3);
    expect(starts.filter((event) => event.reason === 'fallback').length).toBe(workerAttempts.length);
    // Back up: after the back-off it is asked again and gets its share.
    worker.down = false;
    await runBatch(clock, compute, 200, 4);
    expect(worker.served).toBeGreaterThan(20);
  });

  it('never moves a call with an explicit strategy', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, queueLimit: 0, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 8, serviceMs: 10 });
    const { compute, starts } = routerOver(clock, { worker, remote });
    const calls = [0, 1, 2].map((n) => compute.runTask('t', n, 'worker').then(() => 'ok', (error: ComputeError) => error.code));
    await clock.runAll();
    expect(await Promise.all(calls)).toEqual(['ok', 'QUEUE_FULL', 'QUEUE_FULL']);
    worker.down = true;
    await expect(compute.runTask('t', 3, { strategy: 'worker' })).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(starts.every((event) => event.backend === 'worker' && event.reason === 'explicit')).toBe(true);
    expect(remote.served).toBe(0);
  });

  it('reports calls, calls in flight, latency quantiles and estimates per backend and task', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 20 });
    const { compute } = routerOver(clock, { worker, remote });
    await runBatch(clock, compute, 40, 4);
    const pending = compute.runTask('t', 0, 'remote');
    const stats = compute.stats();
    expect(stats.placement).toBe('fastest');
    expect(stats.backends['worker']).toMatchObject({ inFlight: 0, failures: 0, load: { inFlight: 0, capacity: 2, queued: 0 } });
    expect(stats.backends['remote']).toMatchObject({ inFlight: 1, load: { inFlight: 1, capacity: 2, queued: 0 } });
    expect(stats.backends['worker']!.calls + stats.backends['remote']!.calls).toBe(41);
    const onWorker = stats.tasks['t']!['worker']!;
    expect(onWorker.p50Ms).toBeGreaterThanOrEqual(10);
    // Samples taken behind a full backend are divided by the expected wait: about right, never below the service time.
    expect(onWorker.estimateMs).toBeGreaterThanOrEqual(10);
    expect(onWorker.estimateMs).toBeLessThan(15);
    expect(onWorker.samples).toBeGreaterThan(0);
    expect(stats.tasks['t']!['remote']!.estimateMs).toBeGreaterThanOrEqual(20);
    expect(stats.tasks['t']!['remote']!.estimateMs).toBeLessThan(30);
    expect(compute.load()).toEqual({ inFlight: 1, capacity: 4, queued: 0 });
    await clock.runAll();
    await pending;
    expect(compute.stats().tasks['t']!['remote']!.inFlight).toBe(0);
  });

  it('reports the load of a backend without load() as its calls in flight against one slot', async () => {
    const clock = new VirtualClock();
    const quiet = simulatedMachine(clock, 'quiet', { capacity: 3, serviceMs: 5, reportsLoad: false });
    const worker = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 5 });
    const { compute } = routerOver(clock, { worker, quiet });
    const calls = [compute.runTask('t', 1, 'quiet'), compute.runTask('t', 2, 'quiet')];
    expect(compute.load()).toEqual({ inFlight: 2, capacity: 3, queued: 0 });
    await clock.runAll();
    await Promise.all(calls);
  });

  it('nests: an outer router places by the inner router’s load', async () => {
    const clock = new VirtualClock();
    const inner = routerOver(clock, {
      a: simulatedMachine(clock, 'a', { capacity: 2, serviceMs: 10 }),
      b: simulatedMachine(clock, 'b', { capacity: 2, serviceMs: 10 }),
    }).compute;
    const other = simulatedMachine(clock, 'other', { capacity: 1, serviceMs: 10 });
    const { compute } = routerOver(clock, { worker: inner, other });
    const outcomes = await runBatch(clock, compute, 50, 5);
    expect(outcomes).toEqual(Array(50).fill('ok'));
    expect(inner.stats().backends['a']!.calls + inner.stats().backends['b']!.calls).toBeGreaterThan(30);
    expect(other.served).toBeGreaterThan(5);
  });

  it('rejects bad placement options with INVALID_REQUEST', () => {
    const local = simulatedLocal(new VirtualClock(), 0);
    expect(() => createHybridCompute({ local }, { placement: 'random' as 'fastest' })).toThrow(/placement must be 'fastest' or 'ordered'/);
    expect(() => createHybridCompute({ local }, { localBudgetMs: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => createHybridCompute({ local }, { localBudgetMs: Number.NaN })).toThrow(/localBudgetMs/);
    expect(() => createHybridCompute({ local }, { now: 5 as unknown as () => number })).toThrow(/now must be a function/);
  });

  it('ignores a load() that throws or reports nonsense, counting its calls itself', async () => {
    const clock = new VirtualClock();
    const liar = simulatedMachine(clock, 'liar', { capacity: 2, serviceMs: 5 });
    liar.load = () => ({ inFlight: -3, capacity: Number.NaN });
    const thrower = simulatedMachine(clock, 'thrower', { capacity: 2, serviceMs: 5 });
    thrower.load = () => {
      throw new Error('no');
    };
    const { compute } = routerOver(clock, { liar, thrower });
    expect(await runBatch(clock, compute, 20, 4)).toEqual(Array(20).fill('ok'));
    expect(compute.load()).toEqual({ inFlight: 0, capacity: 2, queued: 0 });
    liar.load = () => ({ inFlight: 0, capacity: 4, parallelism: 0 });
    expect(compute.load()).toEqual({ inFlight: 0, capacity: 2, queued: 0 });
  });

  it("sums parallelism in the router's load() when a backend reports it, counting capacity for one that does not", () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 16, runsAtOnce: 2, reportsParallelism: true, serviceMs: 5 });
    const remote = simulatedMachine(clock, 'remote', { capacity: 4, serviceMs: 5 });
    expect(routerOver(clock, { worker, remote }).compute.load()).toEqual({ inFlight: 0, capacity: 20, queued: 0, parallelism: 6 });
    expect(routerOver(clock, { remote }).compute.load()).toEqual({ inFlight: 0, capacity: 4, queued: 0 });
  });
});

describe("placement 'ordered'", () => {
  it('sends every call to the first backend that can run it, learning nothing', async () => {
    const clock = new VirtualClock();
    const worker = simulatedMachine(clock, 'worker', { capacity: 1, serviceMs: 10 });
    const local = simulatedLocal(clock, 0.001);
    const { compute, starts } = routerOver(clock, { worker, local }, { placement: 'ordered' });
    await runBatch(clock, compute, 50, 4);
    expect(worker.served).toBe(50);
    expect(starts.every((event) => event.reason === 'ordered')).toBe(true);
    expect(compute.stats().placement).toBe('ordered');
    expect(compute.stats().tasks['t']!['worker']!.calls).toBe(50);
  });
});
