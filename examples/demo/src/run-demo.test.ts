import { describe, expect, it } from 'vitest';
import { isProcessAlive } from './is-process-alive.js';
import { DemoServerStartError, spawnDemoServer } from './spawn-demo-server.js';
import { runDemo, type DemoProgressEvent } from './run-demo.js';

describe('runDemo', () => {
  it('runs the batch on local, a worker pool and a real server, places it, slows the server, then falls back when it is killed', async () => {
    const events: DemoProgressEvent[] = [];
    const report = await runDemo({ batchSize: 30, workers: 2, concurrency: 4, onProgress: (event) => events.push(event) });

    expect(report.phases.map((phase) => phase.label ?? phase.strategy)).toEqual([
      'local',
      'worker',
      'remote',
      'auto',
      'auto (server slowed)',
      'ordered (server killed)',
    ]);
    for (const phase of report.phases) {
      expect(phase).toMatchObject({ tasks: 30, lost: 0, wrong: 0 });
      for (const figures of Object.values(phase.byBackend)) expect(figures.p95Ms).toBeGreaterThanOrEqual(figures.p50Ms);
    }
    expect(Object.fromEntries(report.phases.slice(0, 3).map((phase) => [phase.strategy, phase.byBackend[phase.strategy]?.tasks]))).toEqual({
      local: 30,
      worker: 30,
      remote: 30,
    });

    // 'auto' answered the whole batch, spread: the blurs (over localBudgetMs on local, as the 'local'
    // phase taught the router) leave the caller's thread, and the short calls keep to it while it has
    // time. (How fast the spread is, against each backend alone, is for `pnpm demo` to show.)
    expect(Object.values(report.phases[3]!.byBackend).reduce((sum, figures) => sum + figures.tasks, 0)).toBe(30);
    expect(Object.keys(report.phases[3]!.byBackend).length).toBeGreaterThanOrEqual(2);
    expect(report.slowdown!.remoteSharePerQuarter).toHaveLength(4);
    expect(report.slowdown!.sideCalls).toBeGreaterThan(0);

    // First fit tries remote first: every call up to the kill could go there, and every call after it moved on.
    const fallback = report.fallback!;
    expect(fallback.killedAfter).toBe(15);
    expect(fallback.moved).toBeGreaterThanOrEqual(15);
    expect(fallback.lost).toBe(0);
    const firstFit = report.phases[5]!;
    const onRemote = firstFit.byBackend['remote']?.tasks ?? 0;
    expect(onRemote + fallback.moved).toBe(30);
    expect(fallback.completedElsewhere).toEqual({ worker: fallback.moved });
    expect(events).toContainEqual({ type: 'server-killed', strategy: 'ordered (server killed)', afterCalls: 15 });

    expect(report.wasm).toEqual({ limit: 100_000, answers: { local: 77_031, worker: 77_031, remote: 77_031 } });
    expect(report.taskError).toEqual({ code: 'TASK_FAILED', causeCode: 'E_DIVIDE_BY_ZERO', backendsTried: ['remote', 'worker'] });
    // The long task's progress came from the worker, in order, up to the limit; the tiles streamed from it.
    expect(report.longTask).toEqual({ backend: 'worker', limit: 1_000_000, primes: 78_498, progressValues: 50, lastChecked: 1_000_000 });
    const checked = events.flatMap((event) => (event.type === 'long-task-progress' ? [event.checked] : []));
    expect(checked).toEqual(Array.from({ length: 50 }, (_, index) => Math.min(1_000_000, 2 + (index + 1) * 20_000)));
    // The same tiles streamed from the server (MessagePack carries the pixels' bytes) and from the worker.
    expect(report.streams).toMatchObject([
      { backend: 'remote', tiles: 16, matchesBlurImage: true },
      { backend: 'worker', tiles: 16, matchesBlurImage: true },
    ]);
    for (const backend of ['remote', 'worker']) {
      expect(events.flatMap((event) => (event.type === 'tile' && event.backend === backend ? [event.index] : []))).toEqual(Array.from({ length: 16 }, (_, index) => index));
    }
    // The server process is gone: killed, and not restarted behind our back.
    expect(isProcessAlive(report.server!.pid)).toBe(false);
  }, 60_000);

  it('runs on a subset: local alone has no server and no fallback', async () => {
    const report = await runDemo({ batchSize: 12, backends: ['local'] });
    expect(report.server).toBeUndefined();
    expect(report.fallback).toBeUndefined();
    expect(report.phases.map((phase) => [phase.strategy, phase.byBackend['local']?.tasks, phase.wrong])).toEqual([
      ['local', 12, 0],
      ['auto', 12, 0],
    ]);
    expect(report.wasm.answers).toEqual({ local: 77_031 });
    expect(report.taskError).toMatchObject({ code: 'TASK_FAILED', backendsTried: ['local'] });
    // Without a worker pool the long task reports progress in process, and nothing streams from a worker.
    expect(report.longTask).toMatchObject({ backend: 'local', primes: 78_498, progressValues: 50, lastChecked: 1_000_000 });
    expect(report.streams).toEqual([]);
  }, 30_000);

  it('runs on a subset: local and remote fall back to local when the server is killed', async () => {
    const report = await runDemo({ batchSize: 12, backends: ['local', 'remote'], concurrency: 3 });
    expect(report.phases.map((phase) => phase.label ?? phase.strategy)).toEqual([
      'local',
      'remote',
      'auto',
      'auto (server slowed)',
      'ordered (server killed)',
    ]);
    expect(report.phases.every((phase) => phase.lost === 0 && phase.wrong === 0 && phase.tasks === 12)).toBe(true);
    expect(Object.keys(report.phases[2]!.byBackend).every((backend) => backend === 'remote' || backend === 'local')).toBe(true);
    expect(report.fallback).toMatchObject({ killedAfter: 6, lost: 0, completedElsewhere: { local: report.fallback!.moved } });
    expect(report.fallback!.moved).toBeGreaterThanOrEqual(6);
    expect(isProcessAlive(report.server!.pid)).toBe(false);
  }, 60_000);

  it('runs on a subset: remote alone has nothing to fall back to, so its server is not killed, only stopped', async () => {
    const events: DemoProgressEvent[] = [];
    const report = await runDemo({ batchSize: 9, backends: ['remote'], onProgress: (event) => events.push(event) });
    expect(report.phases.map((phase) => [phase.strategy, phase.byBackend['remote']?.tasks, phase.lost, phase.wrong])).toEqual([
      ['remote', 9, 0, 0],
      ['auto', 9, 0, 0],
    ]);
    expect(report.fallback).toBeUndefined();
    expect(events.some((event) => event.type === 'server-killed')).toBe(false);
    expect(report.taskError).toMatchObject({ code: 'TASK_FAILED', backendsTried: ['remote'] });
    expect(isProcessAlive(report.server!.pid)).toBe(false);
  }, 60_000);

  it('stops the server and the pool when aborted mid-run', async () => {
    const controller = new AbortController();
    let pid = 0;
    const run = runDemo({
      batchSize: 200,
      workers: 1,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.type === 'server-started') pid = event.pid;
        if (event.type === 'progress' && event.strategy === 'worker' && event.done === 5) controller.abort(new Error('stop here'));
      },
    });
    await expect(run).rejects.toThrow('stop here');
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
  }, 60_000);

  it('reports a taken port as one clear line', async () => {
    const first = await spawnDemoServer();
    try {
      const port = Number(new URL(first.url).port);
      const failure = await spawnDemoServer({ port }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DemoServerStartError);
      expect((failure as Error).message).toBe(`cannot start the compute server: port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.stop();
    }
    expect(isProcessAlive(first.pid)).toBe(false);
  }, 30_000);
});
