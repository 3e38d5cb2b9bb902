import { CallsInFlight, ComputeError, defineTask, noCallOptions } from '@hybridcompute/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sameThreadPlatform, type SameThreadPlatform } from '../test/same-thread-platform.js';
import { readWorkerBackendOptions } from './read-worker-backend-options.js';
import { WorkerCallState } from './worker-call.js';
import type { WorkerChannel } from './worker-channel.js';
import { WorkerFleet, type WorkerFleetEvents } from './worker-fleet.js';
import type { WorkerBackendOptions } from './worker-backend-options.js';

const tasks = [defineTask('double', (n: number) => n * 2)];

interface Told {
  joined: WorkerChannel[];
  left: { channel: WorkerChannel; error: ComputeError }[];
  broke: ComputeError[];
}

const calls = new CallsInFlight<WorkerCallState>({ backend: 'worker' });
const fleets: WorkerFleet[] = [];
afterEach(async () => {
  await Promise.all(fleets.splice(0).map((fleet) => fleet.close(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'test over' }))));
});

function fleetOn(platform: SameThreadPlatform, options: Partial<WorkerBackendOptions> = {}): { fleet: WorkerFleet; told: Told } {
  const told: Told = { joined: [], left: [], broke: [] };
  const events: WorkerFleetEvents = {
    joined: (channel) => told.joined.push(channel),
    answered: () => {},
    freed: () => {},
    left: (channel, error) => told.left.push({ channel, error }),
    broke: (error) => told.broke.push(error),
  };
  const settings = readWorkerBackendOptions({ url: 'tasks', size: 2, ...options }, () => 2);
  const fleet = new WorkerFleet(settings, platform, events);
  fleets.push(fleet);
  return { fleet, told };
}

describe('WorkerFleet', () => {
  it('starts size workers, and allStarted resolves once each has its handshake done', async () => {
    const platform = sameThreadPlatform(tasks);
    const { fleet, told } = fleetOn(platform, { size: 3 });
    expect([platform.workers.length, fleet.ready.length, fleet.taskNames]).toEqual([3, 0, undefined]);
    await fleet.allStarted;
    expect(fleet.ready.length).toBe(3);
    expect(told.joined).toEqual(fleet.ready);
    expect(fleet.taskNames).toEqual(new Set(['double']));
  });

  it('replaces a worker that exits, telling the pool which one left and why', async () => {
    const platform = sameThreadPlatform(tasks);
    const { fleet, told } = fleetOn(platform);
    await fleet.allStarted;
    const [first] = fleet.ready;
    // It has answered nothing, but one death is not a pattern yet.
    platform.workers[0]!.exit(new Error('the thread crashed'));
    expect(told.left).toHaveLength(1);
    expect(told.left[0]!.channel).toBe(first);
    expect([told.left[0]!.error.code, told.left[0]!.error.message]).toEqual(['BACKEND_UNAVAILABLE', 'A worker of the worker backend stopped: the thread crashed']);
    expect(platform.workers).toHaveLength(3);
    await expect.poll(() => fleet.ready.length).toBe(2);
    expect(fleet.ready).not.toContain(first);
    expect(told.broke).toEqual([]);
  });

  it('gives up after three workers in a row exit right after their handshake, instead of respawning forever', async () => {
    const platform = sameThreadPlatform(tasks);
    const { fleet, told } = fleetOn(platform, { size: 1 });
    for (let death = 0; death < 3; death++) {
      await expect.poll(() => fleet.ready.length).toBe(1);
      platform.workers.at(-1)!.exit(new Error(`death ${death}`));
    }
    expect(told.broke).toHaveLength(1);
    expect(fleet.broken?.message).toContain('keep exiting right after they start (3 in a row): death 2');
    expect(platform.workers).toHaveLength(3);
    expect(fleet.ready).toEqual([]);
  });

  it('breaks when a worker cannot be started at all, and allStarted rejects with the cause', async () => {
    const { fleet, told } = fleetOn(sameThreadPlatform(tasks, { tasks: 'throw' }));
    const error = await fleet.allStarted.then(
      () => undefined,
      (reason: ComputeError) => reason,
    );
    expect(error?.code).toBe('BACKEND_UNAVAILABLE');
    expect(error?.message).toBe('The worker backend could not start its workers (tasks): cannot start tasks');
    expect((error?.cause as Error).message).toBe('cannot start tasks');
    expect(told.broke).toEqual([error]);
    expect(fleet.broken).toBe(error);
  });

  it('terminates a worker stuck with an aborted task, and starts another', async () => {
    const platform = sameThreadPlatform([...tasks, defineTask('hang', () => new Promise(() => {}))]);
    const { fleet, told } = fleetOn(platform, { size: 1, abortGrace: 20 });
    await fleet.allStarted;
    const channel = fleet.ready[0]!;
    const call = calls.open('hang', noCallOptions, new WorkerCallState(null));
    call.state.phase = 'running';
    call.state.channel = channel;
    channel.send(call);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new ComputeError({ code: 'TASK_TIMEOUT', message: 'too slow', taskName: 'hang' });
    const rejected = expect(call.promise).rejects.toBe(reason);
    call.reject(reason);
    channel.cancel(call, reason);
    await expect.poll(() => told.left.length).toBe(1);
    expect(told.left[0]!.error.message).toBe("A worker of the worker backend was terminated: task 'hang' did not stop within 20 ms of being aborted");
    expect(platform.workers[0]!.terminated).toBe(true);
    await expect.poll(() => fleet.ready.length).toBe(1);
    expect(fleet.ready[0]).not.toBe(channel);
    await rejected;
  });

  it('starts no worker after close(), and terminates every one', async () => {
    const platform = sameThreadPlatform(tasks);
    const { fleet, told } = fleetOn(platform);
    await fleet.allStarted;
    const closed = new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: 'closed' });
    await fleet.close(closed);
    expect(platform.workers.map((worker) => worker.terminated)).toEqual([true, true]);
    expect(told.left.map((left) => left.error)).toEqual([closed, closed]);
    platform.workers[0]!.exit(new Error('late exit'));
    expect(platform.workers).toHaveLength(2);
  });
});
