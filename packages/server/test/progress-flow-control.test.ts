import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { defineTask } from '@hybridcompute/core';
import { collectGarbage } from '@hybridcompute/test-support/memory';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { runsOnBun } from '../src/runs-on-bun.js';

// Progress under flow control, against the real server and slow but honest readers.

const million = 1_000_000;
const run = { finished: false, reported: 0 };
/** A million values in a tight loop, none awaited. */
const chatty = defineTask('chatty', (count: number, { progress }) => {
  run.finished = false;
  for (let value = 1; value <= count; value++) void progress(value);
  run.finished = true;
  return 'done';
});
/** Each value awaited, 1 KiB each so the connection's window fills after a few dozen. */
const paced = defineTask('paced', async (count: number, { progress }) => {
  run.reported = 0;
  for (let value = 1; value <= count; value++) {
    await progress(`${value}:`.padEnd(1024, '.'));
    run.reported = value;
  }
  return 'paced';
});
const tasks = [chatty, paced];

const servers: ComputeServer[] = [];
const closers: Array<() => Promise<void>> = [];
async function start(): Promise<{ url: string; ws: string }> {
  // The hostile-peer bound at its smallest useful size, and a short timeout: the test fails if the guard drops the reader.
  const server = createComputeServer({ tasks, maxBufferedBytesPerConnection: 256 * 1024, bufferedTimeout: 2_000 });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { url, ws: url.replace('http', 'ws') };
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A server whose tasks run on a worker thread: progress goes worker → pool → server → socket, paced at each hop. */
async function startOnWorker(): Promise<{ url: string; ws: string }> {
  const backend = createWorkerBackend({ url: new URL('./fixtures/progress-worker.mjs', import.meta.url), size: 1 });
  closers.push(() => backend.close());
  await backend.ready();
  const server = createComputeServer({ backend, maxBufferedBytesPerConnection: 256 * 1024, bufferedTimeout: 2_000 });
  servers.push(server);
  const { url } = await server.listen(0, '127.0.0.1');
  return { url, ws: url.replace('http', 'ws') };
}

/** This process's heap plus Buffers (unsent answers are Buffers). */
function memory(): number {
  collectGarbage();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Polls `check` on timers until it holds. */
async function until(check: () => boolean, timeout = 30_000): Promise<void> {
  const deadline = performance.now() + timeout;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until `read()` stops changing for a few turns of 20 ms: a producer that is paced stops. */
async function settledCount(read: () => number): Promise<number> {
  let previous = -1;
  let steady = 0;
  while (steady < 3) {
    const now = read();
    steady = now === previous ? steady + 1 : 0;
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return previous;
}

function postStreamed(url: string, body: unknown): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/x-ndjson' } }, resolve);
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

/** Reads the answer slowly: after every 50 pieces it stops for 2 ms. Resolves with its records. */
async function readSlowly(response: IncomingMessage): Promise<Record<string, unknown>[]> {
  let text = '';
  let pieces = 0;
  response.on('data', (piece: Buffer) => {
    text += piece.toString();
    if (++pieces % 50 !== 0) return;
    response.pause();
    setTimeout(() => response.resume(), 2);
  });
  response.resume();
  await once(response, 'end');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A socket whose client stops reading for 2 ms after every 50 frames, until `paused` is set false. */
function slowSocket(url: string): { socket: WebSocket; frames: Record<string, unknown>[]; opened: Promise<unknown> } {
  const socket = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    if (frames.length % 50 === 0) {
      socket.pause();
      setTimeout(() => socket.resume(), 2);
    }
  });
  return { socket, frames, opened: once(socket, 'open') };
}

function expectStrictlyIncreasing(values: number[], last: number): void {
  expect(values.length).toBeGreaterThan(0);
  for (let index = 1; index < values.length; index++) expect(values[index]).toBeGreaterThan(values[index - 1] as number);
  expect(values.at(-1)).toBe(last);
}

describe('progress flow control over HTTP', () => {
  it('a million values in a tight loop to a slow reader: bounded memory, connection kept, increasing values, the last before the result', async () => {
    const { url } = await start();
    const before = memory();
    const response = await postStreamed(url, { task: 'chatty', input: million });
    response.pause();
    await until(() => run.finished);
    // The task is done; what the server holds for the reader is one window and one value, not a million records.
    expect(memory() - before).toBeLessThan(16 * 1024 * 1024);
    const records = await readSlowly(response);
    expect(records.at(-1)).toEqual({ result: 'done' });
    const values = records.slice(0, -1).map((record) => record['progress'] as number);
    expectStrictlyIncreasing(values, million);
    // Coalesced: far fewer records than values.
    expect(values.length).toBeLessThan(million / 10);
  });

  it('paces a task that awaits ctx.progress, and delivers every value', async () => {
    const { url } = await start();
    const count = 20_000;
    const response = await postStreamed(url, { task: 'paced', input: count });
    response.pause();
    // Nobody reads: the task waits at its `await progress(...)` once the buffers are full.
    const reported = await settledCount(() => run.reported);
    expect(reported).toBeLessThan(count);
    const records = await readSlowly(response);
    expect(records.at(-1)).toEqual({ result: 'paced' });
    const values = records.slice(0, -1).map((record) => Number.parseInt(String(record['progress']), 10));
    expect(values).toEqual(Array.from({ length: count }, (_, index) => index + 1));
  });
});

describe('progress flow control over WebSocket', () => {
  it('a million values in a tight loop to a slow reader: bounded memory, socket kept, increasing values, the last before the result', async () => {
    const { ws } = await start();
    const before = memory();
    const { socket, frames, opened } = slowSocket(ws);
    await opened;
    socket.pause();
    socket.send(JSON.stringify({ id: 1, task: 'chatty', input: million, progress: true }));
    await until(() => run.finished);
    // Not on Bun, where WebSocket progress is not flow controlled (see the server's README).
    if (!runsOnBun) expect(memory() - before).toBeLessThan(16 * 1024 * 1024);
    socket.resume();
    await until(() => frames.at(-1)?.['result'] !== undefined);
    expect(frames.at(-1)).toEqual({ id: 1, result: 'done' });
    const values = frames.slice(0, -1).map((frame) => frame['progress'] as number);
    expectStrictlyIncreasing(values, million);
    if (!runsOnBun) expect(values.length).toBeLessThan(million / 10);
    expect(socket.readyState).toBe(WebSocket.OPEN);
    socket.close();
  });

  it('paces a task that awaits ctx.progress, and delivers every value', async () => {
    const { ws } = await start();
    const count = 20_000;
    const { socket, frames, opened } = slowSocket(ws);
    await opened;
    socket.pause();
    socket.send(JSON.stringify({ id: 1, task: 'paced', input: count, progress: true }));
    // Not on Bun, where WebSocket progress is not flow controlled (see the server's README).
    if (!runsOnBun) {
      const reported = await settledCount(() => run.reported);
      expect(reported).toBeLessThan(count);
    }
    socket.resume();
    await until(() => frames.at(-1)?.['result'] !== undefined);
    expect(frames.at(-1)).toEqual({ id: 1, result: 'paced' });
    const values = frames.slice(0, -1).map((frame) => Number.parseInt(String(frame['progress']), 10));
    expect(values).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    socket.close();
  });
});

describe('progress flow control from a worker thread through the server', () => {
  it.each(['http', 'websocket'] as const)('a million values in a tight loop in the worker to a slow %s reader: increasing values, the last before the result', async (transport) => {
    const { url, ws } = await startOnWorker();
    let values: number[];
    let last: Record<string, unknown> | undefined;
    if (transport === 'http') {
      const response = await postStreamed(url, { task: 'chatty', input: million });
      response.pause();
      const records = await readSlowly(response);
      last = records.at(-1);
      values = records.slice(0, -1).map((record) => record['progress'] as number);
    } else {
      const { socket, frames, opened } = slowSocket(ws);
      await opened;
      socket.send(JSON.stringify({ id: 1, task: 'chatty', input: million, progress: true }));
      await until(() => frames.at(-1)?.['result'] !== undefined);
      last = frames.at(-1);
      values = frames.slice(0, -1).map((frame) => frame['progress'] as number);
      socket.close();
    }
    expect(last).toMatchObject({ result: 'done' });
    expectStrictlyIncreasing(values, million);
    expect(values.length).toBeLessThan(million / 10);
  });

  it('paces a worker task that awaits ctx.progress by the socket, and delivers every value', async () => {
    const { ws } = await startOnWorker();
    const count = 20_000;
    const { socket, frames, opened } = slowSocket(ws);
    await opened;
    socket.pause();
    socket.send(JSON.stringify({ id: 1, task: 'paced', input: count, progress: true }));
    socket.resume();
    await until(() => frames.at(-1)?.['result'] !== undefined);
    expect(frames.at(-1)).toEqual({ id: 1, result: 'paced' });
    const values = frames.slice(0, -1).map((frame) => Number.parseInt(String(frame['progress']), 10));
    expect(values).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    socket.close();
  });
});
