import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { defineTask } from '@hybridcompute/core';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { agent, post, send } from './http-client.js';

// The server's half of streams and progress, spoken by hand: raw WebSocket frames and raw HTTP.

/** What the `counter` generator has done, for the tests to look at. */
const state = { produced: 0, closed: false, aborted: false };
const counter = defineTask('counter', async function* (input: { pad?: number } | null, { signal }) {
  Object.assign(state, { produced: 0, closed: false, aborted: false });
  signal.addEventListener('abort', () => (state.aborted = true), { once: true });
  try {
    for (;;) yield input?.pad === undefined ? ++state.produced : String(++state.produced).padEnd(input.pad, '.');
  } finally {
    state.closed = true;
  }
});
const three = defineTask('three', async function* () {
  yield 1;
  yield 2;
  yield 3;
  return 'three';
});
const reporting = defineTask('reporting', (steps: number, { progress }) => {
  for (let step = 1; step <= steps; step++) progress(step);
  return 'reported';
});
const echo = defineTask('echo', (value: unknown) => value);
const tasks = [counter, three, reporting, echo];

const servers: ComputeServer[] = [];
async function start(): Promise<{ server: ComputeServer; url: string; ws: string }> {
  const server = createComputeServer({ tasks });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { server, url, ws: url.replace('http', 'ws') };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(async () => {
  await agent.close();
});

/** A socket whose frames are read one by one, in order. */
async function openSocket(url: string): Promise<{ socket: WebSocket; next(): Promise<Record<string, unknown>> }> {
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  const waiting: ((frame: Record<string, unknown>) => void)[] = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter === undefined) frames.push(frame);
    else waiter(frame);
  });
  await once(socket, 'open');
  return { socket, next: () => (frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise((resolve) => waiting.push(resolve))) };
}

describe('streams over WebSocket', () => {
  it('sends as many chunks as the client granted, more for each credit, and ends with { id, end: true }', async () => {
    const { ws } = await start();
    const { socket, next } = await openSocket(ws);
    socket.send(JSON.stringify({ id: 1, task: 'three', stream: 2 }));
    expect(await next()).toEqual({ id: 1, chunk: 1 });
    expect(await next()).toEqual({ id: 1, chunk: 2 });
    socket.send(JSON.stringify({ id: 1, credit: 5 }));
    expect(await next()).toEqual({ id: 1, chunk: 3 });
    expect(await next()).toEqual({ id: 1, end: true });
    socket.close();
  });

  it('holds the generator at its yield without credit, and closes it on cancel: finally runs, the signal aborts, the slot is freed', async () => {
    const { server, ws } = await start();
    const { socket, next } = await openSocket(ws);
    socket.send(JSON.stringify({ id: 7, task: 'counter', stream: 3 }));
    for (let chunk = 1; chunk <= 3; chunk++) expect(await next()).toEqual({ id: 7, chunk });
    // A round trip on the same socket: had the server sent a fourth chunk, it would come before this answer.
    socket.send(JSON.stringify({ id: 8, task: 'echo', input: 'ping' }));
    expect(await next()).toEqual({ id: 8, result: 'ping' });
    expect(state).toEqual({ produced: 3, closed: false, aborted: false });
    expect(server.activeCalls).toBe(1);
    socket.send(JSON.stringify({ id: 7, cancel: true }));
    await vi.waitFor(() => expect(state).toMatchObject({ closed: true, aborted: true }));
    await vi.waitFor(() => expect(server.activeCalls).toBe(0));
    socket.close();
  });

  it('closes a parked generator when its socket closes', async () => {
    const { server, ws } = await start();
    const { socket, next } = await openSocket(ws);
    socket.send(JSON.stringify({ id: 1, task: 'counter', stream: 1 }));
    expect(await next()).toEqual({ id: 1, chunk: 1 });
    socket.terminate();
    await vi.waitFor(() => expect(state).toMatchObject({ closed: true, aborted: true }));
    await vi.waitFor(() => expect(server.activeCalls).toBe(0));
  });

  it('sends { id, progress } frames only to a call that asked for them', async () => {
    const { ws } = await start();
    const { socket, next } = await openSocket(ws);
    socket.send(JSON.stringify({ id: 1, task: 'reporting', input: 2 }));
    expect(await next()).toEqual({ id: 1, result: 'reported' });
    socket.send(JSON.stringify({ id: 2, task: 'reporting', input: 2, progress: true }));
    expect([await next(), await next(), await next()]).toEqual([
      { id: 2, progress: 1 },
      { id: 2, progress: 2 },
      { id: 2, result: 'reported' },
    ]);
    socket.close();
  });

  it('refuses a bad stream credit and a stream of a task that does not stream with INVALID_REQUEST', async () => {
    const { ws } = await start();
    const { socket, next } = await openSocket(ws);
    socket.send(JSON.stringify({ id: 1, task: 'three', stream: 0 }));
    expect(await next()).toMatchObject({ id: 1, code: 'INVALID_REQUEST' });
    socket.send(JSON.stringify({ id: 2, task: 'echo', input: 1, stream: 4 }));
    expect(await next()).toMatchObject({ id: 2, code: 'INVALID_REQUEST' });
    socket.close();
  });
});

/** A streamed POST read line by line; `pause` stops reading the body. */
function postStream(url: string, body: unknown, accept = 'application/x-ndjson'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept } }, resolve);
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

async function linesOf(response: IncomingMessage): Promise<unknown[]> {
  let text = '';
  for await (const piece of response) text += String(piece);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as unknown);
}

describe('streams over HTTP', () => {
  it('answers a stream as NDJSON records ending in { end: true }', async () => {
    const { url } = await start();
    const response = await postStream(url, { task: 'three', stream: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson');
    expect(await linesOf(response)).toEqual([{ chunk: 1 }, { chunk: 2 }, { chunk: 3 }, { end: true }]);
  });

  it('answers progress as records before { result }, and plainly when the call reports none', async () => {
    const { url } = await start();
    const streamed = await postStream(url, { task: 'reporting', input: 2 });
    expect(await linesOf(streamed)).toEqual([{ progress: 1 }, { progress: 2 }, { result: 'reported' }]);
    const quiet = await postStream(url, { task: 'reporting', input: 0 });
    expect(quiet.headers['content-type']).toBe('application/json');
    expect(await linesOf(quiet)).toEqual([{ result: 'reported' }]);
  });

  it('never changes the plain answer when Accept asks for no stream', async () => {
    const { url } = await start();
    const answer = await post(url, { task: 'reporting', input: 2 }, { accept: 'application/json' });
    expect(answer).toMatchObject({ status: 200, json: { result: 'reported' } });
    expect(answer.headers['content-type']).toBe('application/json');
  });

  it('refuses a stream asked for without a stream Accept, and an unknown task before any record, with their statuses', async () => {
    const { url } = await start();
    expect(await post(url, { task: 'three', stream: true })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    const unknown = await postStream(url, { task: 'nope', stream: true });
    expect(unknown.statusCode).toBe(404);
    expect(await linesOf(unknown)).toEqual([expect.objectContaining({ code: 'TASK_NOT_FOUND' })]);
  });

  it('stops pulling the generator while the answer does not drain, and closes it when the request goes', async () => {
    const { server, url } = await start();
    // 64 KiB chunks: the buffers fill in a few hundred.
    const response = await postStream(url, { task: 'counter', input: { pad: 64 * 1024 }, stream: true });
    response.pause();
    // The producer stops once the socket's buffers are full: its count settles.
    let previous = -1;
    while (state.produced !== previous) {
      previous = state.produced;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state.produced).toBeGreaterThan(0);
    expect(state.produced * 64 * 1024).toBeLessThan(64 * 1024 * 1024);
    expect(state.closed).toBe(false);
    response.destroy();
    await vi.waitFor(() => expect(state).toMatchObject({ closed: true, aborted: true }));
    await vi.waitFor(() => expect(server.activeCalls).toBe(0));
  });

  it('lists the capability on GET /tasks', async () => {
    const { url } = await start();
    expect((await send(url.replace('/compute', '/tasks'), { method: 'GET' })).json).toMatchObject({ streaming: true });
  });
});
