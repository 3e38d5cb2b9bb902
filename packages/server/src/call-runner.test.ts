import { ComputeError, createHybridCompute, defineTask, type TaskContext } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { CallRunner } from './call-runner.js';
import { CallStop } from './call-stop.js';

const echo = defineTask('echo', (value: unknown) => value);
const hang = defineTask(
  'hang',
  (_input: unknown, { signal }: TaskContext) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
);

function runner(options: Partial<ConstructorParameters<typeof CallRunner>[0]> = {}): CallRunner {
  return new CallRunner({ tasks: [echo, hang], backend: undefined, taskNames: undefined, maxConcurrency: 2, taskTimeout: undefined, ...options });
}

describe('CallRunner', () => {
  it('runs a call and lists its tasks with the admission limit', async () => {
    const calls = runner();
    expect(await calls.run({ task: 'echo', input: 3 }, undefined, new CallStop())).toEqual({ ok: true, result: 3 });
    expect(calls.taskListing()).toEqual({ tasks: ['echo', 'hang'], maxConcurrency: 2, streaming: true });
  });

  it('says when a backend cannot list its tasks, instead of null', () => {
    const unlisted = runner({ tasks: undefined, backend: { canRun: () => true, runTask: async () => 1 } });
    expect(unlisted.taskListing()).toEqual({ tasks: [], listed: false, maxConcurrency: 2 });
    const router = runner({ tasks: undefined, backend: createHybridCompute({ first: { canRun: () => true, runTask: async () => 1 } }) });
    expect(router.taskListing()).toMatchObject({ tasks: [], listed: false });
  });

  it('refuses past maxConcurrency with QUEUE_FULL and an unknown task with TASK_NOT_FOUND', async () => {
    const calls = runner();
    const stops = [new CallStop(), new CallStop()];
    const running = stops.map((stop) => calls.run({ task: 'hang', input: undefined }, undefined, stop));
    expect(calls.activeCalls).toBe(2);
    expect(await calls.run({ task: 'echo', input: 1 }, undefined, new CallStop())).toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } });
    for (const stop of stops) stop.stop(new ComputeError({ code: 'TASK_ABORTED', message: 'gone' }));
    await Promise.all(running);
    expect(await calls.run({ task: 'nope', input: 1 }, undefined, new CallStop())).toMatchObject({
      ok: false,
      error: { code: 'TASK_NOT_FOUND', backend: 'server', message: "Task 'nope' is not available on backend 'server' (tasks: echo, hang)" },
    });
  });

  it("times out at the shorter of taskTimeout and the caller's deadline, naming the task and the server", async () => {
    const calls = runner({ taskTimeout: 5_000 });
    const outcome = await calls.run({ task: 'hang', input: undefined }, 20, new CallStop());
    expect(outcome).toMatchObject({ ok: false, error: { code: 'TASK_TIMEOUT', taskName: 'hang', backend: 'server', message: expect.stringContaining('20 ms') } });
  });

  it('answers with the reason it was stopped for, and stops the running calls at the drain deadline', async () => {
    const calls = runner();
    const stop = new CallStop();
    const stopped = calls.run({ task: 'hang', input: undefined }, undefined, stop);
    stop.stop(new ComputeError({ code: 'TASK_ABORTED', message: 'caller gone' }));
    expect(await stopped).toMatchObject({ ok: false, error: { code: 'TASK_ABORTED' } });
    const draining = calls.run({ task: 'hang', input: undefined }, undefined, new CallStop());
    await calls.drain(10);
    expect(await draining).toMatchObject({ ok: false, error: { code: 'BACKEND_UNAVAILABLE' } });
    expect(await calls.run({ task: 'echo', input: 1 }, undefined, new CallStop())).toMatchObject({ ok: false, error: { code: 'BACKEND_UNAVAILABLE' } });
  });
});
