import { once } from 'node:events';
import { Readable } from 'node:stream';
import { defineTask, type TaskContext } from '@hybridcompute/core';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { closeClient, post, rawRequest, send } from './http-client.js';

let ran = 0;
const double = defineTask('double', (n: number) => {
  ran++;
  if (typeof n !== 'number') throw new TypeError('double expects a number');
  return n * 2;
});
const fail = defineTask('fail', (message: string): never => {
  throw Object.assign(new RangeError(message), { code: 'E_FAIL' });
});
const wait = defineTask(
  'wait',
  (ms: number, { signal }: TaskContext) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(resolve, ms, 'waited');
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    }),
);
const noInput = defineTask('noInput', () => 'nothing needed');
const bigint = defineTask('bigint', () => 10n);
const tasks = [double, fail, wait, noInput, bigint];

const servers: ComputeServer[] = [];
async function start(options: Parameters<typeof createComputeServer>[0]): Promise<{ server: ComputeServer; url: string; base: string }> {
  const server = createComputeServer(options);
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, base: url.slice(0, url.lastIndexOf('/')) };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(async () => {
  await closeClient();
});

describe('POST /compute statuses', () => {
  let url: string;
  let base: string;
  beforeAll(async () => {
    const server = createComputeServer({ tasks, maxBodyBytes: 1024, taskTimeout: 5_000 });
    ({ url } = await server.listen());
    base = url.slice(0, url.lastIndexOf('/'));
    return () => server.close();
  });

  it('answers 200 { result }', async () => {
    expect(await post(url, { task: 'double', input: 21 })).toMatchObject({ status: 200, json: { result: 42 } });
    expect(await post(url, { task: 'noInput' })).toMatchObject({ status: 200, json: { result: 'nothing needed' } });
  });

  it('answers 400 for malformed JSON and for missing or mistyped fields', async () => {
    for (const body of ['{', 'not json', '', '[1,2]', '42', 'null', '{"input":1}', '{"task":1}', '{"task":""}', '{"task":["double"]}']) {
      const answer = await send(url, { body });
      expect(answer.status, body).toBe(400);
      expect(answer.json, body).toMatchObject({ code: 'INVALID_REQUEST' });
      expect(typeof answer.json.error, body).toBe('string');
    }
  });

  it('answers 404 for an unknown task, 422 for a task error with a plain string error and no stack', async () => {
    expect(await post(url, { task: 'nope', input: 1 })).toMatchObject({ status: 404, json: { code: 'TASK_NOT_FOUND' } });
    const failed = await post(url, { task: 'fail', input: 'disk on fire' });
    expect(failed).toMatchObject({ status: 422, json: { error: "Task 'fail' failed: disk on fire", code: 'TASK_FAILED', cause: { name: 'RangeError', code: 'E_FAIL' } } });
    expect(failed.text).not.toContain('at ');
    expect(failed.json.stack).toBeUndefined();
    expect(failed.json.cause.stack).toBeUndefined();
  });

  it('answers 413 for a body over the limit, declared or streamed', async () => {
    const declared = await send(url, { body: JSON.stringify({ task: 'double', input: 'x'.repeat(5_000) }) });
    expect(declared).toMatchObject({ status: 413, json: { code: 'INVALID_REQUEST' } });
    // No content-length: a stream the server must stop reading part-way.
    async function* chunks(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"task":"double","input":"');
      for (let index = 0; index < 100; index++) yield Buffer.alloc(1024, 'x');
      yield Buffer.from('"}');
    }
    const streamed = await rawRequest(url, { body: Readable.from(chunks()) }).then(
      (response) => ({ status: response.status, text: response.text }),
      (error: unknown) => ({ status: 0, text: String(error) }),
    );
    // The server answers before the body ends and closes; the client sees the 413 or a reset, never a 200.
    expect([413, 0]).toContain(streamed.status);
    expect(await post(url, { task: 'double', input: 2 })).toMatchObject({ status: 200, json: { result: 4 } });
  });

  it('answers 422 when the result is not JSON', async () => {
    expect(await post(url, { task: 'bigint' })).toMatchObject({ status: 422, json: { code: 'TASK_FAILED' } });
  });

  it('answers 405 for a wrong method and 404 for an unknown path', async () => {
    expect(await send(url, { method: 'GET' })).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(await send(`${base}/elsewhere`, { method: 'GET' })).toMatchObject({ status: 404 });
  });

  it('lists its tasks and answers health and readiness', async () => {
    expect(await send(`${base}/tasks`, { method: 'GET' })).toMatchObject({ status: 200, json: { tasks: ['double', 'fail', 'wait', 'noInput', 'bigint'], maxConcurrency: 256 } });
    expect(await send(`${base}/healthz`, { method: 'GET' })).toMatchObject({ status: 200, json: { status: 'ok' } });
    expect(await send(`${base}/readyz`, { method: 'GET' })).toMatchObject({ status: 200, json: { status: 'ready' } });
  });
});

describe('limits and deadlines', () => {
  it('answers 504 at the task timeout and aborts the task', async () => {
    const { url } = await start({ tasks, taskTimeout: 50 });
    expect(await post(url, { task: 'wait', input: 10_000 })).toMatchObject({ status: 504, json: { code: 'TASK_TIMEOUT' } });
  });

  it("honours the caller's deadline header when it is shorter", async () => {
    const { url } = await start({ tasks, taskTimeout: 60_000 });
    const answer = await post(url, { task: 'wait', input: 10_000 }, { 'x-compute-timeout': '50' });
    expect(answer).toMatchObject({ status: 504, json: { code: 'TASK_TIMEOUT' } });
  });

  it('sends stacks only in debug', async () => {
    const { url } = await start({ tasks, debug: true });
    const failed = await post(url, { task: 'fail', input: 'with stack' });
    expect(failed.json.stack).toContain('ComputeError');
    expect(failed.json.cause.stack).toContain('RangeError');
  });

  it('answers 2,000 concurrent calls against maxConcurrency 64: every one 200 or 503, none lost', async () => {
    const { url } = await start({ tasks, maxConcurrency: 64 });
    const answers = await Promise.all(Array.from({ length: 2_000 }, (_, index) => post(url, { task: 'wait', input: 20 + (index % 5) })));
    expect(answers).toHaveLength(2_000);
    const ok = answers.filter((answer) => answer.status === 200);
    const busy = answers.filter((answer) => answer.status === 503);
    expect(ok.length + busy.length).toBe(2_000);
    expect(ok.length).toBeGreaterThanOrEqual(64);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of ok) expect(answer.json).toEqual({ result: 'waited' });
    for (const answer of busy) {
      expect(answer.json.code).toBe('QUEUE_FULL');
      expect(answer.headers['retry-after']).toBe('1');
    }
  });
});

describe('auth', () => {
  it('runs nothing without the token and everything with it', async () => {
    const { url, base } = await start({ tasks, token: 's3cret-token' });
    const before = ran;
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 's3cret-token' }, { authorization: 'Bearer s3cret-tokenX' }]) {
      const answer = await post(url, { task: 'double', input: 1 }, headers);
      expect(answer).toMatchObject({ status: 401, json: { code: 'UNAUTHORIZED' }, headers: { 'www-authenticate': 'Bearer' } });
    }
    expect(await send(`${base}/tasks`, { method: 'GET' })).toMatchObject({ status: 401 });
    const socket = new WebSocket(url.replace('http', 'ws'));
    socket.on('error', () => {});
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(401);
    socket.terminate();
    expect(ran).toBe(before);

    const auth = { authorization: 'Bearer s3cret-token' };
    expect(await post(url, { task: 'double', input: 4 }, auth)).toMatchObject({ status: 200, json: { result: 8 } });
    // The auth scheme is case-insensitive.
    expect(await post(url, { task: 'double', input: 4 }, { authorization: 'bearer s3cret-token' })).toMatchObject({ status: 200, json: { result: 8 } });
    expect(await send(`${base}/tasks`, { method: 'GET', headers: auth })).toMatchObject({ status: 200 });
    expect(await send(`${base}/healthz`, { method: 'GET' })).toMatchObject({ status: 200 });
    const authed = new WebSocket(url.replace('http', 'ws'), { headers: auth });
    await once(authed, 'open');
    authed.send(JSON.stringify({ id: 1, task: 'double', input: 5 }));
    const [data] = await once(authed, 'message');
    expect(JSON.parse(String(data))).toEqual({ id: 1, result: 10 });
    authed.close();
    const byQuery = new WebSocket(`${url.replace('http', 'ws')}?access_token=s3cret-token`);
    await once(byQuery, 'open');
    byQuery.close();
    expect(ran).toBe(before + 3);
  });
});

describe('a backend instead of tasks', () => {
  it('serves a router over a local backend, listing the names it is given', async () => {
    const { createHybridCompute } = await import('@hybridcompute/core');
    const router = createHybridCompute({ local: createLocalBackend({ tasks }) });
    const { url, base } = await start({ backend: router, taskNames: ['double'] });
    expect(await post(url, { task: 'double', input: 3 })).toMatchObject({ status: 200, json: { result: 6 } });
    expect(await send(`${base}/tasks`, { method: 'GET' })).toMatchObject({ json: { tasks: ['double'] } });
    // Without the option the router's own list: every task its backends serve.
    const { base: listingBase } = await start({ backend: createHybridCompute({ local: createLocalBackend({ tasks }) }), maxConcurrency: 7 });
    expect((await send(`${listingBase}/tasks`, { method: 'GET' })).json).toEqual({ tasks: ['double', 'fail', 'wait', 'noInput', 'bigint'], maxConcurrency: 7, streaming: true, encodings: ['msgpack', 'json'] });
  });

  it('answers at the deadline even when the backend ignores its signal', async () => {
    const deaf = { canRun: () => true, runTask: () => new Promise(() => {}) };
    const { url, base } = await start({ backend: deaf, taskTimeout: 50 });
    expect(await post(url, { task: 'anything' })).toMatchObject({ status: 504 });
    // A backend that cannot list its tasks: never null, an empty list marked unlisted (clients ask per call).
    expect((await send(`${base}/tasks`, { method: 'GET' })).json).toEqual({ tasks: [], listed: false, maxConcurrency: 256, encodings: ['msgpack', 'json'] });
  });

  it("answers 404 when the backend's canRun throws, over HTTP and WebSocket, and keeps serving", async () => {
    const moody = {
      canRun: (taskName: string) => {
        if (taskName === 'broken') throw new Error('canRun blew up');
        return true;
      },
      runTask: (_taskName: string, input: unknown) => Promise.resolve(input),
    };
    const { url } = await start({ backend: moody });
    expect(await post(url, { task: 'broken', input: 1 })).toMatchObject({ status: 404, json: { code: 'TASK_NOT_FOUND' } });
    const socket = new WebSocket(url.replace('http', 'ws'));
    await once(socket, 'open');
    const answered = once(socket, 'message');
    socket.send(JSON.stringify({ id: 1, task: 'broken', input: 1 }));
    const [frame] = await answered;
    expect(JSON.parse(String(frame))).toMatchObject({ id: 1, code: 'TASK_NOT_FOUND' });
    socket.close();
    expect(await post(url, { task: 'echo', input: 7 })).toMatchObject({ status: 200, json: { result: 7 } });
  });

  it('refuses options that are not one of tasks and backend', () => {
    expect(() => createComputeServer({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    expect(() => createComputeServer({ tasks, backend: createLocalBackend() })).toThrow(/exactly one/);
    expect(() => createComputeServer({ tasks, maxConcurrency: 0 })).toThrow(/maxConcurrency/);
    expect(() => createComputeServer({ tasks, path: 'compute' })).toThrow(/path/);
  });

  it('rejects listen on a taken port', async () => {
    const { server } = await start({ tasks });
    const port = (server.httpServer.address() as { port: number }).port;
    await expect(createComputeServer({ tasks }).listen(port, '127.0.0.1')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('CORS', () => {
  it('answers preflights and adds headers for allowed origins only', async () => {
    const { url } = await start({ tasks, corsOrigins: ['http://app.example'] });
    const preflight = await send(url, { method: 'OPTIONS', headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({ 'access-control-allow-origin': 'http://app.example', vary: 'origin' });
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    const allowed = await post(url, { task: 'double', input: 1 }, { origin: 'http://app.example' });
    expect(allowed).toMatchObject({ status: 200, headers: { 'access-control-allow-origin': 'http://app.example', 'access-control-expose-headers': 'retry-after, x-compute-max-concurrency' } });
    const other = await post(url, { task: 'double', input: 1 }, { origin: 'http://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("sends no CORS headers unless asked, and '*' allows any origin", async () => {
    const { url: plain } = await start({ tasks });
    expect((await post(plain, { task: 'double', input: 1 }, { origin: 'http://app.example' })).headers['access-control-allow-origin']).toBeUndefined();
    const { url: open } = await start({ tasks, corsOrigins: '*' });
    expect((await post(open, { task: 'double', input: 1 }, { origin: 'http://any.example' })).headers['access-control-allow-origin']).toBe('*');
    expect(() => createComputeServer({ tasks, corsOrigins: 'http://x' as never })).toThrow(/corsOrigins/);
  });
});

describe('graceful close', () => {
  it('turns /readyz 503, refuses new calls, finishes calls in flight and closes WebSockets with 1001', async () => {
    // The call in flight is held until the test opens the gate, however slowly the requests below are answered.
    let openGate: () => void = () => undefined;
    const gate = new Promise<string>((resolve) => (openGate = () => resolve('through the gate')));
    const held = defineTask('held', () => gate);
    const { server, url, base } = await start({ tasks: [...tasks, held] });
    const socket = new WebSocket(url.replace('http', 'ws'));
    await once(socket, 'open');
    const closed = once(socket, 'close');
    const inFlight = post(url, { task: 'held' });
    await expect.poll(() => server.activeCalls).toBe(1);
    const closing = server.close();
    expect(server.draining).toBe(true);
    expect(await send(`${base}/readyz`, { method: 'GET' })).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(await post(url, { task: 'double', input: 1 })).toMatchObject({ status: 503, json: { code: 'BACKEND_UNAVAILABLE' } });
    expect(server.activeCalls).toBe(1);
    openGate();
    expect(await inFlight).toMatchObject({ status: 200, json: { result: 'through the gate' } });
    await closing;
    const [code] = await closed;
    expect(code).toBe(1001);
    expect(server.httpServer.listening).toBe(false);
  });

  it('aborts calls still running at the drain deadline', async () => {
    const { server, url } = await start({ tasks, drainTimeout: 50 });
    const inFlight = post(url, { task: 'wait', input: 30_000 });
    await expect.poll(() => server.activeCalls).toBe(1);
    await server.close();
    expect(await inFlight.catch(() => ({ status: 0 }))).toMatchObject({ status: 503 });
  });
});
