// Starts and stops real redis-server processes for the tests: AOF on, in a temporary directory, on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server this test run owns. */
export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGKILL by default: with `appendfsync always` nothing acknowledged is lost). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and directory; the AOF brings the data back. */
  start(): Promise<void>;
  /** Stops it for good and deletes its directory. */
  dispose(): Promise<void>;
}

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startRedisServer(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hybridcompute-redis-'));
  let port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const args = [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir,
      '--appendonly', 'yes', '--appendfsync', 'always', '--save', '',
      '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--protected-mode', 'yes',
    ];
    const process = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = process;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          process.stdout?.off('data', onData);
          resolve();
        }
      };
      process.stdout?.on('data', onData);
      process.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'ENOENT'
            ? new Error('redis-server is not on the PATH: run tooling/scripts/install-system-packages.sh, or set HYBRIDCOMPUTE_REDIS_URL to a Redis of yours', { cause: error })
            : error,
        ),
      );
      process.once('exit', (code) => reject(new Error(`redis-server exited with ${String(code)} before it was ready:\n${output}`)));
    });
    // Keep reading so a full pipe never blocks the server.
    process.stdout?.resume();
    process.stderr?.resume();
  };

  const stop = async (signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  };

  for (let attempt = 0; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      // Another process may have taken the port between freePort() and the launch.
      if (attempt >= 3 || (error as { cause?: { code?: string } }).cause?.code === 'ENOENT') {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
      port = await freePort();
    }
  }

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    start: launch,
    dispose: async () => {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
