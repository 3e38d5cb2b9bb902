import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { failure, fixture, killChildren, serve, signal } from './cli-process.js';
import { closeClient, post, send } from './http-client.js';

afterEach(killChildren);
afterAll(async () => {
  await closeClient();
});

describe('hybrid-compute-server', () => {
  it('serves a tasks module (named exports and a default record), prints its URL and exits 0 on SIGTERM', async () => {
    const { child, url } = await serve([fixture('tasks.mjs'), '--port', '0', '--host', '127.0.0.1', '--max-concurrency', '8', '--task-timeout', '5000']);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/compute$/);
    expect(await post(url, { task: 'double', input: 21 })).toMatchObject({ status: 200, json: { result: 42 } });
    expect(await post(url, { task: 'greet', input: 'Ada' })).toMatchObject({ status: 200, json: { result: 'hello, Ada' } });
    const listed = await send(url.replace(/compute$/, 'tasks'), { method: 'GET' });
    expect([...listed.json.tasks].sort()).toEqual(['double', 'greet']);
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    expect(await exited).toEqual([0, null]);
  });

  it('takes the token from HYBRIDCOMPUTE_TOKEN', async () => {
    const { url } = await serve([fixture('tasks.mjs'), '--port', '0'], { env: { HYBRIDCOMPUTE_TOKEN: 'from-env' } });
    expect(await post(url, { task: 'double', input: 1 })).toMatchObject({ status: 401 });
    expect(await post(url, { task: 'double', input: 1 }, { authorization: 'Bearer from-env' })).toMatchObject({ status: 200, json: { result: 2 } });
  });

  it('exits non-zero with a clear message for a module that is missing or holds no tasks', async () => {
    const missing = await failure([fixture('no-such-file.mjs'), '--port', '0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot serve');
    const empty = await failure([fixture('not-tasks.mjs'), '--port', '0']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('exports no task definitions');
  });

  it('exits non-zero with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    const taken = await failure([fixture('tasks.mjs'), '--port', port]);
    blocker.close();
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
  });

  it('exits 2 with usage for bad arguments', async () => {
    for (const args of [[], ['--port', 'eighty', fixture('tasks.mjs')], [fixture('tasks.mjs'), '--unknown']]) {
      const bad = await failure(args);
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr).toContain('Usage: hybrid-compute-server');
    }
  });

  it('exits 2 with usage, not a stack, for a --path without a leading / or an empty --token', async () => {
    const cases: Array<[string[], string]> = [
      [['--path', 'compute'], "--path must start with '/'"],
      [['--path='], "--path must start with '/'"],
      [['--token='], '--token must not be empty'],
    ];
    for (const [flags, message] of cases) {
      const bad = await failure([fixture('tasks.mjs'), '--port', '0', ...flags]);
      expect(bad.code, flags.join(' ')).toBe(2);
      expect(bad.stderr, flags.join(' ')).toContain(message);
      expect(bad.stderr, flags.join(' ')).toContain('Usage: hybrid-compute-server');
      expect(bad.stderr, flags.join(' ')).not.toMatch(/\n\s+at /);
    }
  });
});
