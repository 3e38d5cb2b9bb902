import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { defineTask, maxTimerDelay } from '@hybridcompute/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer, type ComputeServerOptions } from '../src/index.js';
import { closeClient, post, send } from './http-client.js';

let release: () => void = () => undefined;
const held = defineTask('held', () => new Promise<string>((resolve) => (release = () => resolve('released'))));
const echo = defineTask('echo', (value: unknown) => value);
const tasks = [held, echo];

const servers: ComputeServer[] = [];
async function start(options: ComputeServerOptions): Promise<{ server: ComputeServer; url: string; base: string; ws: string }> {
  const server = createComputeServer(options);
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, base: url.slice(0, url.lastIndexOf('/')), ws: url.replace('http', 'ws') };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(closeClient);

describe('the admission limit is advertised (protocol decision 2)', () => {
  it('sends x-compute-max-concurrency on every HTTP response, refusals and 404s included', async () => {
    const { url, base } = await start({ tasks, maxConcurrency: 64, token: 'secret' });
    const auth = { authorization: 'Bearer secret' };
    const answers = [
      await post(url, { task: 'echo', input: 1 }, auth),
      await post(url, { task: 'echo', input: 1 }),
      await post(url, { task: 'nope', input: 1 }, auth),
      await send(`${base}/tasks`, { method: 'GET', headers: auth }),
      await send(`${base}/healthz`, { method: 'GET' }),
      await send(`${base}/elsewhere`, { method: 'GET' }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 200, 200, 404]);
    for (const answer of answers) expect(answer.headers['x-compute-max-concurrency']).toBe('64');
    expect(answers[3]?.json).toEqual({ tasks: ['held', 'echo'], maxConcurrency: 64, streaming: true, encodings: ['msgpack', 'json'] });
  });

  it("sends it on the WebSocket upgrade's 101, where Node's ws client reads it", async () => {
    const { ws } = await start({ tasks, maxConcurrency: 48 });
    const socket = new WebSocket(ws);
    const opened = once(socket, 'open');
    const [response] = (await once(socket, 'upgrade')) as [IncomingMessage];
    expect(response.statusCode).toBe(101);
    expect(response.headers['x-compute-max-concurrency']).toBe('48');
    await opened;
    socket.close();
  });
});

describe('WebSocket credentials (protocol decision 3)', () => {
  async function upgradeStatus(target: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingMessage['headers'] }> {
    const socket = new WebSocket(target, { headers });
    socket.on('error', () => {});
    const outcome = await Promise.race([
      once(socket, 'upgrade').then(([response]) => response as IncomingMessage),
      once(socket, 'unexpected-response').then(([, response]) => response as IncomingMessage),
    ]);
    socket.terminate();
    return { status: outcome.statusCode ?? 0, headers: outcome.headers };
  }

  it('refuses a missing or wrong token with HTTP 401 and takes a right one in the header or, as browsers send it, the query', async () => {
    const { ws } = await start({ tasks, token: 'secret', maxConcurrency: 9 });
    const missing = await upgradeStatus(ws);
    expect(missing.status).toBe(401);
    expect(missing.headers).toMatchObject({ 'www-authenticate': 'Bearer', 'x-compute-max-concurrency': '9' });
    expect((await upgradeStatus(ws, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await upgradeStatus(`${ws}?access_token=wrong`)).status).toBe(401);
    expect((await upgradeStatus(ws, { authorization: 'Bearer secret' })).status).toBe(101);
    expect((await upgradeStatus(`${ws}?access_token=secret`)).status).toBe(101);
  });
});

describe('duplicate call ids (protocol decision 4)', () => {
  it('answers a second call with a running id with { duplicateId, error, code } and no id; the first call goes on', async () => {
    const { ws, server } = await start({ tasks });
    const socket = new WebSocket(ws);
    await once(socket, 'open');
    const frames: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    socket.send(JSON.stringify({ id: 'a', task: 'held' }));
    await expect.poll(() => server.activeCalls).toBe(1);
    socket.send(JSON.stringify({ id: 'a', task: 'echo', input: 2 }));
    await expect.poll(() => frames.length).toBe(1);
    expect(frames[0]).toMatchObject({ duplicateId: 'a', error: expect.stringContaining('already running'), code: 'INVALID_REQUEST', backend: 'server' });
    expect(frames[0]).not.toHaveProperty('id');
    release();
    await expect.poll(() => frames.length).toBe(2);
    expect(frames[1]).toEqual({ id: 'a', result: 'released' });
    // Once answered, the id is free again.
    socket.send(JSON.stringify({ id: 'a', task: 'echo', input: 3 }));
    await expect.poll(() => frames.length).toBe(3);
    expect(frames[2]).toEqual({ id: 'a', result: 3 });
    socket.close();
  });
});

describe('unknown tasks', () => {
  it("answers TASK_NOT_FOUND in core's words, listing the tasks served", async () => {
    const { url } = await start({ tasks });
    const answer = await post(url, { task: 'ehco', input: 1 });
    expect(answer).toMatchObject({ status: 404, json: { code: 'TASK_NOT_FOUND', taskName: 'ehco', backend: 'server' } });
    expect(answer.json.error).toBe("Task 'ehco' is not available on backend 'server' (tasks: held, echo)");
  });
});

describe('options', () => {
  const bad: Array<[string, Partial<ComputeServerOptions>]> = [
    ['taskTimeout', { taskTimeout: 0 }],
    ['taskTimeout', { taskTimeout: 2 ** 40 }],
    ['taskTimeout', { taskTimeout: Number.NaN }],
    ['taskTimeout', { taskTimeout: '500' as never }],
    ['drainTimeout', { drainTimeout: -1 }],
    ['drainTimeout', { drainTimeout: maxTimerDelay + 1 }],
    ['requestTimeout', { requestTimeout: Number.POSITIVE_INFINITY }],
    ['bufferedTimeout', { bufferedTimeout: 0 }],
    ['frameTimeout', { frameTimeout: 2 ** 40 }],
    ['heartbeatInterval', { heartbeatInterval: -5 }],
    ['idleTimeout', { idleTimeout: 2 ** 31 }],
    ['maxBufferedBytesPerConnection', { maxBufferedBytesPerConnection: 0 }],
    ['maxConnections', { maxConnections: 1.5 }],
    ['maxConnectionsPerAddress', { maxConnectionsPerAddress: 0 }],
    ['maxConcurrency', { maxConcurrency: Number.NaN }],
    ['taskNames', { taskNames: 'echo' as never }],
  ];

  it.each(bad)('refuses a bad %s with an INVALID_REQUEST TypeError naming it', (name, options) => {
    let thrown: unknown;
    try {
      createComputeServer({ tasks, ...options });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining(name) });
  });

  it('takes the limits of setTimeout itself, and drainTimeout 0', () => {
    expect(() => createComputeServer({ tasks, taskTimeout: maxTimerDelay, drainTimeout: 0, idleTimeout: maxTimerDelay })).not.toThrow();
  });
});
