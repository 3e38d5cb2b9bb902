import { defineTask, maxTimerDelay } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { readServerOptions, serverDefaults } from './compute-server-options.js';
import { runsOnBun } from './runs-on-bun.js';

const echo = defineTask('echo', (value: unknown) => value);

describe('readServerOptions', () => {
  it('fills in the documented defaults, with no limit per address', () => {
    const settings = readServerOptions({ tasks: [echo] });
    expect(settings).toMatchObject({ ...serverDefaults, taskTimeout: undefined, maxConnectionsPerAddress: Number.POSITIVE_INFINITY, debug: false });
    expect(settings.maxBufferedBytesPerConnection).toBe(8 * 1024 * 1024);
    expect(settings.paths).toEqual({ compute: '/compute', tasks: '/tasks', healthz: '/healthz', readyz: '/readyz', metrics: '/metrics' });
  });

  it('puts the other endpoints beside a custom path', () => {
    expect(readServerOptions({ tasks: [echo], path: '/api/v1/run' }).paths).toEqual({ compute: '/api/v1/run', tasks: '/api/v1/tasks', healthz: '/api/v1/healthz', readyz: '/api/v1/readyz', metrics: '/api/v1/metrics' });
  });

  it("takes every timing option up to setTimeout's limit and refuses one past it", () => {
    const frameTimeout = runsOnBun ? [] : (['frameTimeout'] as const);
    for (const name of ['taskTimeout', 'requestTimeout', 'bufferedTimeout', ...frameTimeout, 'heartbeatInterval', 'idleTimeout', 'drainTimeout'] as const) {
      expect(readServerOptions({ tasks: [echo], [name]: maxTimerDelay })[name], name).toBe(maxTimerDelay);
      expect(() => readServerOptions({ tasks: [echo], [name]: maxTimerDelay + 1 }), name).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining(name) }));
    }
  });

  it('refuses frameTimeout on Bun, whose WebSocket server reads the frames itself, and takes it elsewhere', () => {
    if (runsOnBun) {
      expect(() => readServerOptions({ tasks: [echo], frameTimeout: 1_000 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('not supported on Bun') }));
      expect(readServerOptions({ tasks: [echo] }).frameTimeout).toBe(30_000);
    } else {
      expect(readServerOptions({ tasks: [echo], frameTimeout: 1_000 }).frameTimeout).toBe(1_000);
    }
  });

  it('refuses options that are not one of tasks and backend, or a backend without its methods', () => {
    expect(() => readServerOptions(null as never)).toThrow(TypeError);
    expect(() => readServerOptions({})).toThrow(/exactly one/);
    expect(() => readServerOptions({ backend: { canRun: () => true } as never })).toThrow(/runTask/);
    expect(() => readServerOptions({ tasks: [echo], token: '' })).toThrow(/token/);
    expect(() => readServerOptions({ tasks: [echo], corsOrigins: [1] as never })).toThrow(/corsOrigins/);
  });
});
