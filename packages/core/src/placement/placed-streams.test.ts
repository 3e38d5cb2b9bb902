import { describe, expect, it } from 'vitest';
import type { ComputeBackendLike } from '../types.js';
import { routerOver, runBatch, simulatedMachine, VirtualClock } from './placement-simulation.js';

// A scripted backend that streams: each stream yields its backend's name, then waits for `release`.
function streaming(backend: ComputeBackendLike, name: string) {
  const opened: string[] = [];
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  return {
    backend: {
      ...backend,
      streamTask: (taskName: string) => {
        opened.push(taskName);
        return (async function* () {
          yield name;
          await released;
          yield 'last';
        })();
      },
    } satisfies ComputeBackendLike,
    opened,
    release: () => release(),
  };
}

describe("streams under 'auto'", () => {
  it('go where a call would, counted as a call and in flight while open', async () => {
    const clock = new VirtualClock();
    const worker = streaming(simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 30 }), 'worker');
    const remote = streaming(simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 }), 'remote');
    const { compute } = routerOver(clock, { worker: worker.backend, remote: remote.backend });
    // Calls teach the router that remote runs 't' three times faster.
    await runBatch(clock, compute, 60, 2);
    const before = compute.stats().tasks['t']!['remote']!.calls;
    const stream = compute.streamTask('t', 1)[Symbol.asyncIterator]();
    expect(await stream.next()).toEqual({ done: false, value: 'remote' });
    expect(remote.opened).toEqual(['t']);
    expect(worker.opened).toEqual([]);
    expect(compute.stats().tasks['t']!['remote']).toMatchObject({ calls: before + 1, inFlight: 1 });
    expect(compute.stats().backends['remote']!.inFlight).toBe(1);
    remote.release();
    expect(await stream.next()).toEqual({ done: false, value: 'last' });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(compute.stats().tasks['t']!['remote']!.inFlight).toBe(0);
  });

  it('leave the in-flight count when the reader stops early', async () => {
    const clock = new VirtualClock();
    const worker = streaming(simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 }), 'worker');
    const remote = streaming(simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 }), 'remote');
    const { compute } = routerOver(clock, { worker: worker.backend, remote: remote.backend });
    for await (const chunk of compute.streamTask('t', 1)) {
      expect(chunk).toBe('worker');
      expect(compute.stats().backends['worker']!.inFlight).toBe(1);
      break;
    }
    expect(compute.stats().backends['worker']!.inFlight).toBe(0);
  });

  it("pass over a backend that cannot stream; 'ordered' keeps its first fit, which rejects", async () => {
    const clock = new VirtualClock();
    const plain = simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 });
    const remote = streaming(simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 }), 'remote');
    const fastest = routerOver(clock, { worker: plain, remote: remote.backend }).compute;
    expect(await fastest.streamTask('t', 1)[Symbol.asyncIterator]().next()).toEqual({ done: false, value: 'remote' });
    const ordered = routerOver(clock, { worker: plain, remote: remote.backend }, { placement: 'ordered' }).compute;
    await expect(ordered.streamTask('t', 1)[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: 'INVALID_REQUEST', backend: 'worker' });
    remote.release();
  });

  it('release the count when the backend throws opening the stream', async () => {
    const clock = new VirtualClock();
    const broken = {
      ...simulatedMachine(clock, 'worker', { capacity: 2, serviceMs: 10 }),
      streamTask: () => {
        throw new Error('cannot open');
      },
    };
    const { compute } = routerOver(clock, { worker: broken, remote: simulatedMachine(clock, 'remote', { capacity: 2, serviceMs: 10 }) });
    await expect(compute.streamTask('t', 1)[Symbol.asyncIterator]().next()).rejects.toThrow('cannot open');
    expect(compute.stats().backends['worker']).toMatchObject({ calls: 1, inFlight: 0 });
  });
});
