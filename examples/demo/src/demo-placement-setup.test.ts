import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { describe, expect, it } from 'vitest';
import { demoServerMaxConcurrency, demoWorkerCount } from './demo-placement-setup.js';
import { spawnDemoServer } from './spawn-demo-server.js';

describe('the demo’s placement setup', () => {
  it('leaves one core to the server when it runs here, keeping a pool of at least 1 and at most 4', () => {
    expect([1, 2, 4, 8].map((cores) => demoWorkerCount({ withServer: true }, cores))).toEqual([1, 1, 3, 4]);
    expect([1, 2, 4, 8].map((cores) => demoWorkerCount({ withServer: false }, cores))).toEqual([1, 2, 4, 4]);
  });

  it('starts the server advertising its limit, which the remote backend reports as capacity', async () => {
    const server = await spawnDemoServer({ maxConcurrency: demoServerMaxConcurrency });
    const remote = createRemoteBackend({ endpoint: server.url });
    try {
      await remote.connect();
      expect(remote.load()).toEqual({ inFlight: 0, capacity: demoServerMaxConcurrency, queued: 0 });
    } finally {
      await remote.close();
      await server.stop();
    }
  });
});
