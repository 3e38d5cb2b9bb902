import { CallsInFlight, ComputeError, defineTask, noCallOptions } from '@hybridcompute/core';
import { afterEach, describe, expect, it } from 'vitest';
import { sameThreadPlatform, type SameThreadPlatform } from '../test/same-thread-platform.js';
import { WorkerCallState, type WorkerCall } from './worker-call.js';
import { WorkerChannel, type WorkerChannelEvents, type WorkerChannelSettings } from './worker-channel.js';

const tasks = [
  defineTask('double', (n: number) => n * 2),
  defineTask('later', (input: { ms: number; value: unknown }) => new Promise((resolve) => setTimeout(resolve, input.ms, input.value))),
  defineTask('untilAborted', (_: null, context) => new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('stopped')))),
  defineTask('hang', () => new Promise(() => {})),
];

type EventName = keyof WorkerChannelEvents;

/** Records what a channel reports, and lets a test wait for the next report of a kind. */
class Reports {
  readonly seen: { event: EventName; args: unknown[] }[] = [];
  readonly #waiting: { event: EventName; resolve: (args: unknown[]) => void }[] = [];

  readonly events: WorkerChannelEvents = {
    ready: (...args) => this.#report('ready', args),
    answered: (channel, call, ok, value) => {
      if (ok) call.resolve(value);
      else call.reject(value);
      this.#report('answered', [channel, call, ok, value]);
    },
    stopped: (...args) => this.#report('stopped', args),
    firstAnswer: (...args) => this.#report('firstAnswer', args),
    stuck: (...args) => this.#report('stuck', args),
    exited: (...args) => this.#report('exited', args),
    startTimedOut: (...args) => this.#report('startTimedOut', args),
  };

  next(event: EventName): Promise<unknown[]> {
    return new Promise((resolve) => this.#waiting.push({ event, resolve }));
  }

  count(event: EventName): number {
    return this.seen.filter((report) => report.event === event).length;
  }

  #report(event: EventName, args: unknown[]): void {
    this.seen.push({ event, args });
    const index = this.#waiting.findIndex((waiter) => waiter.event === event);
    if (index !== -1) this.#waiting.splice(index, 1)[0]!.resolve(args);
  }
}

const channels: WorkerChannel[] = [];
afterEach(async () => {
  for (const channel of channels.splice(0)) {
    channel.forget();
    await channel.terminate();
  }
});

const calls = new CallsInFlight<WorkerCallState>({ backend: 'worker' });

function open(platform: SameThreadPlatform, settings: Partial<WorkerChannelSettings> = {}): { channel: WorkerChannel; reports: Reports } {
  const reports = new Reports();
  const channel = new WorkerChannel(
    platform,
    { url: 'tasks', workerOptions: undefined, atomics: true, startupTimeout: 10_000, abortGrace: 10_000, backend: 'worker', ...settings },
    reports.events,
  );
  channels.push(channel);
  return { channel, reports };
}

async function started(platform = sameThreadPlatform(tasks), settings: Partial<WorkerChannelSettings> = {}): Promise<{ channel: WorkerChannel; reports: Reports }> {
  const opened = open(platform, settings);
  await opened.reports.next('ready');
  return opened;
}

// What the pool does when a worker takes a call.
function send(channel: WorkerChannel, taskName: string, input: unknown): WorkerCall {
  const call = calls.open(taskName, noCallOptions, new WorkerCallState(input));
  call.state.phase = 'running';
  call.state.channel = channel;
  channel.send(call);
  return call;
}

const requestsTo = (platform: SameThreadPlatform, method: string): number =>
  platform.workers[0]!.received.filter((message) => message['type'] === 'APPLY' && (message['path'] as string[])[0] === method).length;

describe('WorkerChannel', () => {
  it("reports the worker's handshake with its task names, then takes calls", async () => {
    const { channel, reports } = open(sameThreadPlatform(tasks));
    expect(channel.state).toBe('starting');
    const [, names] = await reports.next('ready');
    expect(names).toEqual(['double', 'later', 'untilAborted', 'hang']);
    expect(channel.state).toBe('ready');
  });

  it('sends a call alone as a plain comlink run request and frees its slot on the answer', async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel, reports } = await started(platform);
    const call = send(channel, 'double', 21);
    expect(channel.inFlight).toBe(1);
    await expect(call.promise).resolves.toBe(42);
    expect([channel.inFlight, channel.answeredAny, reports.count('firstAnswer')]).toEqual([0, true, 1]);
    await send(channel, 'double', 1).promise;
    expect(reports.count('firstAnswer')).toBe(1);
    expect([requestsTo(platform, 'run'), requestsTo(platform, 'runBatch')]).toEqual([2, 0]);
    expect(call.state.input).toBeUndefined();
  });

  it('sends the calls handed over in one turn as one runBatch request, and matches each outcome to its call', async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel } = await started(platform);
    const sent = [1, 2, 3].map((n) => send(channel, 'double', n));
    await expect(Promise.all(sent.map((call) => call.promise))).resolves.toEqual([2, 4, 6]);
    expect([requestsTo(platform, 'run'), requestsTo(platform, 'runBatch')]).toEqual([0, 1]);
  });

  it('answers the batched calls that finish later through one takeResults request', async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel } = await started(platform);
    const sent = [send(channel, 'double', 5), send(channel, 'later', { ms: 20, value: 'a' }), send(channel, 'later', { ms: 20, value: 'b' })];
    await expect(Promise.all(sent.map((call) => call.promise))).resolves.toEqual([10, 'a', 'b']);
    expect(requestsTo(platform, 'takeResults')).toBeGreaterThanOrEqual(1);
    expect(channel.inFlight).toBe(0);
  });

  it('fails only the call of a batch whose input cannot be cloned', async () => {
    const { channel } = await started();
    const sent = [send(channel, 'double', 1), send(channel, 'double', () => 1), send(channel, 'double', 3)];
    const outcomes = await Promise.allSettled(sent.map((call) => call.promise));
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: 2 });
    expect(((outcomes[1] as PromiseRejectedResult).reason as Error).name).toBe('DataCloneError');
    expect(outcomes[2]).toEqual({ status: 'fulfilled', value: 6 });
    expect(channel.inFlight).toBe(0);
  });

  it("cancels a running call: the task's ctx.signal aborts, and its slot frees once the task stops", async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel, reports } = await started(platform);
    const call = send(channel, 'untilAborted', null);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new ComputeError({ code: 'TASK_ABORTED', message: 'the caller gave up', taskName: 'untilAborted' });
    const rejected = expect(call.promise).rejects.toBe(reason);
    call.reject(reason);
    channel.cancel(call, reason);
    expect([call.state.phase, channel.aborting.size, channel.inFlight]).toEqual(['aborting', 1, 1]);
    const [, stoppedCall] = await reports.next('stopped');
    expect(stoppedCall).toBe(call);
    expect([call.state.phase, channel.aborting.size, channel.inFlight, reports.count('answered'), reports.count('stuck')]).toEqual(['done', 0, 0, 0, 0]);
    expect(requestsTo(platform, 'cancel')).toBe(1);
    await rejected;
  });

  it('reports a call whose task does not stop within abortGrace as stuck', async () => {
    const { channel, reports } = await started(undefined, { abortGrace: 30 });
    const call = send(channel, 'hang', null);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const reason = new ComputeError({ code: 'TASK_TIMEOUT', message: 'too slow', taskName: 'hang' });
    const rejected = expect(call.promise).rejects.toBe(reason);
    call.reject(reason);
    channel.cancel(call, reason);
    const [, stuckCall] = await reports.next('stuck');
    expect(stuckCall).toBe(call);
    expect([channel.aborting.has(call), reports.count('stopped')]).toEqual([true, 0]);
    await rejected;
  });

  it('never sends a call cancelled in the turn it was handed over, and frees its slot', async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel, reports } = await started(platform);
    const call = send(channel, 'hang', null);
    const reason = new ComputeError({ code: 'TASK_ABORTED', message: 'at once', taskName: 'hang' });
    const rejected = expect(call.promise).rejects.toBe(reason);
    call.reject(reason);
    channel.cancel(call, reason);
    await reports.next('stopped');
    expect([channel.inFlight, channel.aborting.size, requestsTo(platform, 'run'), requestsTo(platform, 'runBatch')]).toEqual([0, 0, 0, 0]);
    await rejected;
  });

  it('reports a worker that never calls exposeTasks within startupTimeout', async () => {
    const { channel, reports } = open(sameThreadPlatform(tasks, { tasks: 'silent' }), { startupTimeout: 30 });
    const [, error] = await reports.next('startTimedOut');
    expect((error as Error).message).toContain('did not call exposeTasks within 30 ms');
    expect(channel.state).toBe('starting');
  });

  it('reports a worker that exits on its own, and nothing after forget()', async () => {
    const platform = sameThreadPlatform(tasks);
    const { channel, reports } = await started(platform);
    const call = send(channel, 'hang', null);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const exited = reports.next('exited');
    platform.workers[0]!.exit(new Error('the thread crashed'));
    const [, error] = await exited;
    expect((error as Error).message).toBe('the thread crashed');
    channel.forget();
    expect([channel.state, channel.inFlight]).toEqual(['gone', 0]);
    send(channel, 'double', 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports.count('answered')).toBe(0);
    call.reject(new Error('settled by the test'));
    await expect(call.promise).rejects.toThrow('settled by the test');
  });

  it('throws what the platform throws when it cannot start a worker', () => {
    expect(() => open(sameThreadPlatform(tasks, { tasks: 'throw' }))).toThrow('cannot start tasks');
  });
});
