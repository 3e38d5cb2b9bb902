import { execFile, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isProcessAlive } from './is-process-alive.js';
import { currentRuntime, demoRuntimes } from './relaunch-on-runtime.js';

// The built CLI, as `pnpm demo` runs it, in a child process of its own.
const demo = fileURLToPath(new URL('../dist/demo.js', import.meta.url));
const run = (args: string[]) =>
  promisify(execFile)(process.execPath, [demo, ...args], { timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

let blocker: Server;
let takenPort: number;
beforeAll(async () => {
  blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  takenPort = (blocker.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => blocker.close(() => resolve())));

describe('pnpm demo (the built CLI)', () => {
  it('runs every phase, prints the table and the fallback, exits 0 and leaves no server behind', async () => {
    const { code, stdout, stderr } = await run(['--batch', '24', '--workers', '2', '--concurrency', '4']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^strategy\s+backend\s+tasks\s+p50 ms\s+p95 ms\s+tasks\/s$/m);
    for (const strategy of ['local', 'worker', 'remote']) {
      expect(stdout).toMatch(new RegExp(`^${strategy}\\s+${strategy}\\s+24\\s+\\d+\\.\\d\\d\\s+\\d+\\.\\d\\d\\s+\\d+$`, 'm'));
    }
    expect(stdout).toMatch(/^auto\s+\S+\s+\d+\s/m);
    expect(stdout).toMatch(/^placement: 'auto' did \d+ tasks\/s \(\d+ on \w+/m);
    expect(stdout).toMatch(/^slowdown: another client loaded the server from halfway on/m);
    expect(stdout).toMatch(/killed the server \(SIGKILL\) after 12 calls/);
    expect(stdout).toMatch(/(\d+) call\(s\) got BACKEND_UNAVAILABLE from remote and moved on \(\1 on worker\), 0 lost\./);
    expect(stdout).toContain('answers: 144 of 144 calls answered, 0 wrong');
    const pid = Number(/pid (\d+)\)/.exec(stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isProcessAlive(pid)).toBe(false);
  }, 90_000);

  it('--help prints the flags and exits 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    for (const flag of ['--batch N', '--backends LIST', '--workers N', '--concurrency N', '--port N', '--serve']) expect(stdout).toContain(flag);
  });

  it.each([
    [['--batch', 'lots'], "--batch must be a whole number from 1 to 100000, got 'lots'"],
    [['--backends', 'local,gpu'], "--backends takes a comma-separated subset of local,worker,remote, got 'local,gpu'"],
    [['--turbo'], "Unknown option '--turbo'"],
    [['--runtime', 'workerd'], "--runtime takes one of node, bun, deno, got 'workerd'"],
  ])('exits 2 with a clear message and no stack for %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toContain(`demo: ${message}`);
    expect(stderr).toContain('Usage: pnpm demo');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stdout).toBe('');
  });

  it('runs on the runtime it is started with, and names it', async () => {
    const { code, stdout } = await run(['--batch', '4', '--backends', 'local,remote', '--concurrency', '2']);
    expect(code).toBe(0);
    const { name, version } = currentRuntime();
    expect(stdout.split('\n')[0]).toBe(`hybrid-compute demo on ${name} ${version}: 4 calls per phase over local, remote, 2 in flight`);
    expect(stdout).toContain('0 wrong');
  }, 90_000);

  // One step round node -> bun -> deno -> node per runtime's run: each relaunch is taken once in CI.
  it('--runtime runs the whole demo on another runtime (the next of node, bun, deno)', async () => {
    const next = demoRuntimes[(demoRuntimes.indexOf(currentRuntime().name) + 1) % demoRuntimes.length] as string;
    const { code, stdout, stderr } = await run(['--runtime', next, '--batch', '4', '--backends', 'local,remote', '--concurrency', '2']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(new RegExp(`^hybrid-compute demo on ${next} \\d+\\.\\d+\\.\\d+: 4 calls per phase`));
    expect(stdout).toContain('0 wrong');
  }, 90_000);

  // The npm `deno` package's launcher (node_modules/.bin/deno) passes no signal on: the relaunch must start the binary itself.
  it.each(demoRuntimes.filter((runtime) => runtime !== 'node' && runtime !== currentRuntime().name))(
    '--runtime %s passes SIGTERM on: the relaunched demo stops serving and the demo exits with its code',
    async (runtime) => {
      const child = spawn(process.execPath, [demo, '--runtime', runtime, '--serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (exitCode, signal) => resolve([exitCode, signal])));
      let url: string;
      try {
        url = await new Promise<string>((resolve, reject) => {
          let stdout = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
            stdout += chunk;
            const match = /at (http:\/\/\S+)/.exec(stdout);
            if (match?.[1] !== undefined) resolve(match[1]);
          });
          void exited.then(() => reject(new Error(`exited early: ${stdout}`)));
        });
      } finally {
        process.kill(child.pid!, 'SIGTERM');
      }
      expect(await exited).toEqual([0, null]);
      // Whoever ran the demo on the other runtime is gone with it: nothing answers on its port.
      await expect(fetch(url, { method: 'POST', body: '{}' })).rejects.toThrow();
    },
    60_000,
  );

  it('exits 1 with one clear line when the port is taken', async () => {
    const { code, stderr } = await run(['--port', String(takenPort), '--batch', '3']);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`demo: cannot start the compute server: port ${takenPort} on 127.0.0.1 is already in use`);
  });

  // SIGHUP: the terminal closed (no handler would mean no cleanup); SIGKILL: no code of the demo runs at all.
  it.each(['SIGHUP', 'SIGKILL'] as const)('leaves no server behind when the demo gets %s mid-run', async (signal) => {
    const child = spawn(process.execPath, [demo, '--batch', '100000', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let exit = '';
    const exited = new Promise<void>((resolve) => child.once('exit', (code, killedBy) => resolve(void (exit = `code ${code}, signal ${killedBy}`))));
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let serverPid = 0;
    try {
      serverPid = await new Promise<number>((resolve, reject) => {
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const match = /pid (\d+)\)[^]*strategy 'local'/.exec(stdout);
          if (match?.[1] !== undefined) resolve(Number(match[1]));
        });
        void exited.then(() => reject(new Error(`exited early (${exit}): ${stdout}${stderr}`)));
      });
      expect(isProcessAlive(serverPid)).toBe(true);
      child.kill(signal);
      await exited;
    } finally {
      child.kill('SIGKILL');
    }
    // The server notices on its own (its stdin closes) and shuts down: wait for that, however slow the machine.
    try {
      await vi.waitFor(() => expect(isProcessAlive(serverPid)).toBe(false), { timeout: 20_000, interval: 50 });
    } finally {
      // Should the test fail, the orphan still goes.
      if (isProcessAlive(serverPid)) process.kill(serverPid, 'SIGKILL');
    }
  }, 60_000);

  it('--serve serves the tasks with CORS for the given origin until SIGTERM', async () => {
    const child = spawn(process.execPath, [demo, '--serve', '--port', '0', '--cors-origin', 'http://localhost:5999'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          stdout += chunk;
          const match = /at (http:\/\/\S+)/.exec(stdout);
          if (match?.[1] !== undefined) resolve(match[1]);
        });
        void exited.then(() => reject(new Error(`exited early: ${stdout}`)));
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://localhost:5999' },
        body: JSON.stringify({ task: 'countPrimes', input: 100 }),
      });
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5999');
      expect(await response.json()).toEqual({ result: 25 });
    } finally {
      // Not child.kill: Deno's child_process would report a child that handled the signal as killed by it.
      process.kill(child.pid!, 'SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 30_000);
});
