import { once } from 'node:events';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeoutHeader } from '@hybridcompute/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { failure, fixture, killChildren, serve, signal } from './cli-process.js';
import { closeClient, post, send } from './http-client.js';

const scratch = mkdtempSync(join(tmpdir(), 'hybridcompute-cli-workers-'));
const gates = new Set<ReturnType<typeof createServer>>();

/**
 * An HTTP server the fixture's `threadAfterGate` task waits on: it holds every
 * request until `expected` have arrived (or `open()` is called), then answers
 * them all, so calls provably overlap without any timing guesses.
 */
async function startGate(expected = Number.POSITIVE_INFINITY): Promise<{ url: string; reached: Promise<void>; open: () => void }> {
  const held: ServerResponse[] = [];
  let isOpen = false;
  const open = (): void => {
    isOpen = true;
    for (const response of held.splice(0)) response.end('go');
  };
  const gate = createServer((_request, response) => {
    if (isOpen) return void response.end('go');
    held.push(response);
    if (held.length >= expected) open();
  });
  gates.add(gate);
  const reached = once(gate, 'request').then(() => undefined);
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(gate.address() as { port: number }).port}/`, reached, open };
}

afterEach(killChildren);
afterAll(async () => {
  for (const gate of gates) {
    gate.closeAllConnections();
    gate.close();
  }
  rmSync(scratch, { recursive: true, force: true });
  await closeClient();
});

describe('hybrid-compute-server --workers', () => {
  it('serves the module on worker threads: concurrent calls run on both workers, GET /tasks lists what they expose', async () => {
    const { url, stdout } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '2']);
    expect(stdout()).toContain('on 2 worker threads');
    const listed = await send(url.replace(/compute$/, 'tasks'), { method: 'GET' });
    expect([...listed.json.tasks].sort()).toEqual(['double', 'fail', 'spinUntilFile', 'threadAfterGate']);
    // The default export (an array) is loaded in the workers as the CLI loads it.
    expect(await post(url, { task: 'double', input: 21 })).toMatchObject({ status: 200, json: { result: 42 } });

    // Two calls held at the gate together: the pool gives the second to the idle worker.
    const gate = await startGate(2);
    const answers = await Promise.all([post(url, { task: 'threadAfterGate', input: { gate: gate.url } }), post(url, { task: 'threadAfterGate', input: { gate: gate.url } })]);
    const threads = answers.map((answer) => {
      expect(answer.status).toBe(200);
      return answer.json.result as number;
    });
    expect(threads.every((threadId) => Number.isInteger(threadId) && threadId !== 0)).toBe(true);
    expect(new Set(threads).size).toBe(2);
  });

  it("answers a task's error 422 and an unknown task 404, as without workers", async () => {
    const { url } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '1']);
    const failed = await post(url, { task: 'fail', input: 'no luck' });
    expect(failed).toMatchObject({ status: 422, json: { code: 'TASK_FAILED', error: expect.stringContaining('no luck'), cause: { name: 'RangeError', code: 'E_FIXTURE' } } });
    expect(failed.text).not.toMatch(/\n\s+at /);
    const unknown = await post(url, { task: 'nope', input: 1 });
    expect(unknown).toMatchObject({ status: 404, json: { code: 'TASK_NOT_FOUND' } });
  });

  it('keeps /healthz answering while a CPU-bound task blocks a worker', async () => {
    const { url, printed } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '1']);
    const file = join(scratch, 'release-spin');
    let spinDone = false;
    const spin = post(url, { task: 'spinUntilFile', input: { file } }).finally(() => (spinDone = true));
    await printed('spinning on thread');
    // On the server's own thread the loop would hold these until the file appears, which is never.
    const healthz = url.replace(/compute$/, 'healthz');
    for (let index = 0; index < 3; index++) {
      const started = performance.now();
      expect(await send(healthz, { method: 'GET' })).toMatchObject({ status: 200, json: { status: 'ok' } });
      expect(spinDone, `healthz ${index} answered after ${Math.round(performance.now() - started)} ms`).toBe(false);
    }
    writeFileSync(file, '');
    const answer = await spin;
    expect(answer.status).toBe(200);
    expect(answer.json.result).not.toBe(0);
  });

  it("answers 504 for a CPU-bound task past the caller's deadline and replaces its stuck worker", async () => {
    const { url } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '1']);
    // Never released: only terminating its worker stops this loop.
    const stuck = await post(url, { task: 'spinUntilFile', input: { file: join(scratch, 'never-created') } }, { [timeoutHeader]: '300' });
    expect(stuck).toMatchObject({ status: 504, json: { code: 'TASK_TIMEOUT' } });
    // The only worker spins forever; the next call (no deadline) waits for its replacement.
    expect(await post(url, { task: 'double', input: 5 })).toMatchObject({ status: 200, json: { result: 10 } });
  });

  it('on SIGTERM drains the calls in flight, then closes the pool and exits 0', async () => {
    const { child, url, printed } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '2']);
    const gate = await startGate();
    const call = post(url, { task: 'threadAfterGate', input: { gate: gate.url } });
    // The call is running on a worker once its request reaches the gate.
    await gate.reached;
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    await printed('SIGTERM: draining 1 call(s)');
    expect(await send(url.replace(/compute$/, 'readyz'), { method: 'GET' })).toMatchObject({ status: 503 });
    gate.open();
    // Answered by the worker: the pool was still open while the server drained.
    const answer = await call;
    expect(answer.status).toBe(200);
    expect(answer.json.result).not.toBe(0);
    expect(await exited).toEqual([0, null]);
    // The process (and with it every worker thread) is gone.
    expect(() => process.kill(child.pid as number, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('exits 2 with usage for a --workers that is not a whole number from 1 to 256', async () => {
    for (const value of ['0', 'abc', '1.5', '-1', '257', '']) {
      const bad = await failure([fixture('worker-tasks.mjs'), '--port', '0', `--workers=${value}`]);
      expect(bad.code, `--workers '${value}'`).toBe(2);
      expect(bad.stderr).toContain('--workers must be an integer from 1 to 256');
      expect(bad.stderr).toContain('Usage: hybrid-compute-server');
    }
  });

  it('exits 1 with a one-line message, no stack and no thread left, for a module the workers cannot load', async () => {
    const broken = join(scratch, 'throws.mjs');
    writeFileSync(broken, "throw new Error('the module broke');\n");
    for (const [module, reason] of [
      [fixture('not-tasks.mjs'), 'exports no task definitions'],
      // The runtime's own words: Node and Bun say 'Cannot find module', Deno 'Module not found'.
      [fixture('no-such-file.mjs'), `${fixture('no-such-file.mjs')} does not exist`],
      [broken, 'the module broke'],
    ] as const) {
      // The exit itself shows that no worker thread was left to keep the process alive.
      const bad = await failure([module, '--port', '0', '--workers', '2']);
      expect(bad.code, module).toBe(1);
      expect(bad.stderr).toContain(`hybrid-compute-server: cannot serve ${module} on worker threads: `);
      expect(bad.stderr).toMatch(reason);
      const lines = bad.stderr.trimEnd().split('\n');
      if ('Deno' in globalThis) {
        // Deno itself reports a worker's uncaught error on stderr, stack and all, before the CLI's line.
        expect(lines.filter((line) => line.startsWith('hybrid-compute-server:'))).toEqual([lines.at(-1)]);
      } else {
        expect(lines).toHaveLength(1);
      }
    }
  });

  it('exits 1 saying to install @hybridcompute/backend-worker when it is missing', async () => {
    // An install of the server with its runtime dependencies (core, wire and its msgpackr, ws) and without the optional peer.
    const modules = join(scratch, 'app', 'node_modules');
    const server = join(modules, '@hybridcompute', 'server');
    mkdirSync(server, { recursive: true });
    // Copies, as npm installs them (Deno does not load a package that a symlink places outside the app).
    const packageRoot = fileURLToPath(new URL('../', import.meta.url));
    cpSync(join(packageRoot, 'package.json'), join(server, 'package.json'));
    cpSync(join(packageRoot, 'dist'), join(server, 'dist'), { recursive: true });
    const core = realpathSync(join(packageRoot, 'node_modules', '@hybridcompute', 'core'));
    cpSync(join(core, 'package.json'), join(modules, '@hybridcompute', 'core', 'package.json'));
    cpSync(join(core, 'dist'), join(modules, '@hybridcompute', 'core', 'dist'), { recursive: true });
    cpSync(realpathSync(join(packageRoot, 'node_modules', 'ws')), join(modules, 'ws'), { recursive: true });
    const wire = realpathSync(join(packageRoot, 'node_modules', '@hybridcompute', 'wire'));
    cpSync(join(wire, 'package.json'), join(modules, '@hybridcompute', 'wire', 'package.json'));
    cpSync(join(wire, 'dist'), join(modules, '@hybridcompute', 'wire', 'dist'), { recursive: true });
    cpSync(realpathSync(join(wire, 'node_modules', 'msgpackr')), join(modules, 'msgpackr'), { recursive: true });

    const cliPath = join(server, 'dist', 'cli.js');
    const withWorkers = await failure([fixture('worker-tasks.mjs'), '--port', '0', '--workers', '2'], { cliPath });
    expect(withWorkers.code).toBe(1);
    expect(withWorkers.stderr).toContain('--workers needs @hybridcompute/backend-worker, which is not installed');
    expect(withWorkers.stderr).toContain('npm install @hybridcompute/backend-worker');
    expect(withWorkers.stderr.trimEnd().split('\n')).toHaveLength(1);
    // Without --workers the same install serves as before: the peer is needed only for the flag.
    const { url } = await serve([fixture('worker-tasks.mjs'), '--port', '0'], { cliPath });
    expect(await post(url, { task: 'double', input: 4 })).toMatchObject({ status: 200, json: { result: 8 } });
  });
});
