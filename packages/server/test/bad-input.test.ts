import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { defineTask } from '@hybridcompute/core';
import { collectGarbage } from '@hybridcompute/test-support/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { closeClient, rawRequest, send } from './http-client.js';

const echo = defineTask('echo', (value: unknown) => value);
const keys = defineTask('keys', (value: unknown) => (typeof value === 'object' && value !== null ? Object.keys(value) : []));
const maxBodyBytes = 4096;

let server: ComputeServer;
let url: string;
beforeAll(async () => {
  server = createComputeServer({ tasks: [echo, keys], maxBodyBytes });
  ({ url } = await server.listen());
});
afterAll(async () => {
  await server.close();
  await closeClient();
});

/** A few hundred bodies that are not calls, each with the status it must get. */
function badBodies(): Array<{ body: string; status: number }> {
  const cases: Array<{ body: string; status: number }> = [];
  const valid = JSON.stringify({ task: 'echo', input: { a: [1, 2, { b: 'c' }] } });
  // Every truncation of a valid body is malformed JSON.
  for (let end = 1; end < valid.length; end++) cases.push({ body: valid.slice(0, end), status: 400 });
  for (const body of ['', ' ', 'null', 'true', '0', '"task"', '[]', '[{"task":"echo"}]', '{}', 'undefined', 'NaN', '{"task":null}', '{"task":true}', '{"task":{}}', '{"task":[]}', '{"task":7}', '{"task":""}', '\u0000', '{"task":"echo",}', "{'task':'echo'}"]) {
    cases.push({ body, status: 400 });
  }
  // Prototype tricks: none may supply a task, none may reach a prototype.
  for (const body of [
    '{"__proto__":{"task":"echo"}}',
    '{"constructor":{"prototype":{"task":"echo"}}}',
    '{"__proto__":null}',
    '{"input":{"__proto__":{"polluted":true}}}',
  ]) {
    cases.push({ body, status: 400 });
  }
  for (const task of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__', '../echo', 'echo ', 'ECHO']) {
    cases.push({ body: JSON.stringify({ task, input: 1 }), status: 404 });
  }
  // Oversized, with bodies of every shape.
  for (let index = 0; index < 40; index++) {
    cases.push({ body: JSON.stringify({ task: 'echo', input: 'x'.repeat(maxBodyBytes + index * 97) }), status: 413 });
  }
  // Random bytes.
  let seed = 7;
  for (let index = 0; index < 120; index++) {
    let text = '';
    for (let char = 0; char < 1 + (index % 40); char++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      text += String.fromCharCode(33 + (seed % 90));
    }
    if (text.startsWith('{') || text.startsWith('[') || /^[-0-9"tfn]/.test(text)) text = `#${text}`;
    cases.push({ body: text, status: 400 });
  }
  return cases;
}

describe('bad input over HTTP', () => {
  it('answers each of a few hundred bad bodies with its status, then serves correct calls, with no growth in memory', async () => {
    const cases = badBodies();
    expect(cases.length).toBeGreaterThan(200);
    const runAll = async (): Promise<void> => {
      for (let start = 0; start < cases.length; start += 25) {
        const batch = cases.slice(start, start + 25);
        const answers = await Promise.all(batch.map(({ body }) => send(url, { body }).catch((error: unknown) => ({ status: 0, json: String(error) }))));
        answers.forEach((answer, index) => {
          const expected = batch[index] as { body: string; status: number };
          expect(answer.status, expected.body.slice(0, 60)).toBe(expected.status);
          expect(typeof (answer.json as { error?: unknown }).error, expected.body.slice(0, 60)).toBe('string');
        });
      }
    };
    await runAll();
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let round = 0; round < 3; round++) await runAll();
    collectGarbage();
    const growth = process.memoryUsage().heapUsed - before;
    // Three more rounds of every case: anything kept per request would show as megabytes.
    expect(growth).toBeLessThan(8 * 1024 * 1024);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(await send(url, { body: '{"task":"keys","input":{"__proto__":{"x":1},"a":1}}' })).toMatchObject({ status: 200, json: { result: ['__proto__', 'a'] } });
    expect(await send(url, { body: '{"task":"echo","input":[1,"two"]}' })).toMatchObject({ status: 200, json: { result: [1, 'two'] } });
  });
});

describe('bad input over WebSocket', () => {
  it('answers each bad frame with an error frame, serves good frames on the same socket, and closes with 1009 past the limit', async () => {
    const socket = new WebSocket(url.replace('http', 'ws'));
    await once(socket, 'open');
    const answers: Array<Record<string, unknown>> = [];
    socket.on('message', (data) => answers.push(JSON.parse(String(data)) as Record<string, unknown>));
    const frames: Array<{ frame: string; code: string; id: unknown }> = [];
    for (const frame of ['{', 'null', '[]', '42', '"x"', '{}', '{"id":{}}', '{"id":[1]}', '{"id":null,"task":"echo"}', '{"task":"echo"}', '{"__proto__":{"id":1}}']) {
      frames.push({ frame, code: 'INVALID_REQUEST', id: null });
    }
    for (let index = 0; index < 60; index++) {
      frames.push({ frame: JSON.stringify({ id: `bad-${index}`, task: index % 2 === 0 ? '' : 42 }), code: 'INVALID_REQUEST', id: `bad-${index}` });
      frames.push({ frame: JSON.stringify({ id: 1000 + index, task: ['__proto__', 'constructor', 'toString'][index % 3], input: 1 }), code: 'TASK_NOT_FOUND', id: 1000 + index });
    }
    for (const { frame } of frames) socket.send(frame);
    socket.send(JSON.stringify({ id: 'good', task: 'echo', input: { ok: true } }));
    await expect.poll(() => answers.length, { timeout: 10_000 }).toBe(frames.length + 1);
    const byId = new Map(answers.filter((answer) => answer['id'] !== null).map((answer) => [answer['id'], answer]));
    expect(byId.get('good')).toEqual({ id: 'good', result: { ok: true } });
    const nullIdCodes = answers.filter((answer) => answer['id'] === null).map((answer) => answer['code']);
    expect(nullIdCodes).toEqual(frames.filter((frame) => frame.id === null).map(() => 'INVALID_REQUEST'));
    for (const { id, code } of frames.filter((frame) => frame.id !== null)) expect(byId.get(id), String(id)).toMatchObject({ code, error: expect.any(String) });

    const closed = once(socket, 'close');
    socket.send(JSON.stringify({ id: 'huge', task: 'echo', input: 'x'.repeat(maxBodyBytes * 2) }));
    const [code] = await closed;
    expect(code).toBe(1009);
    expect(await send(url, { body: '{"task":"echo","input":1}' })).toMatchObject({ status: 200, json: { result: 1 } });
  });
});

/** Writes raw bytes on a new connection and resolves with everything the server sends before it closes. */
async function rawExchange(bytes: string): Promise<string> {
  const socket = connect((server.httpServer.address() as AddressInfo).port, '127.0.0.1');
  socket.setEncoding('utf8');
  let received = '';
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', () => {});
  socket.write(bytes);
  await once(socket, 'close');
  return received;
}

const upgradeHeaders = 'Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

describe('hostile connections', () => {
  it('answers 400 to an upgrade whose URL cannot be parsed, and keeps serving', async () => {
    const answer = await rawExchange(`GET http://[ HTTP/1.1\r\n${upgradeHeaders}`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await send(url, { body: '{"task":"echo","input":1}' })).toMatchObject({ status: 200, json: { result: 1 } });
  });

  it('survives clients that reset the connection while their upgrade is refused', async () => {
    const port = (server.httpServer.address() as AddressInfo).port;
    const resets = Array.from({ length: 40 }, async () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(`GET /not-the-path HTTP/1.1\r\n${upgradeHeaders}`);
      socket.resetAndDestroy();
      await once(socket, 'close');
    });
    await Promise.all(resets);
    // An 'error' nobody listened for would have failed the run as an uncaught exception.
    expect(await send(url, { body: '{"task":"echo","input":2}' })).toMatchObject({ status: 200, json: { result: 2 } });
  });

  it('answers 415 to bodies a browser can send cross-origin without a preflight, and runs nothing', async () => {
    const body = '{"task":"keys","input":{"a":1}}';
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await send(url, { body, headers: { 'content-type': type } });
      expect(answer, type).toMatchObject({ status: 415, json: { code: 'INVALID_REQUEST', error: expect.stringContaining('application/json') } });
    }
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.call+json']) {
      expect(await send(url, { body, headers: { 'content-type': type } }), type).toMatchObject({ status: 200, json: { result: ['a'] } });
    }
    // Older clients that send no content type at all still work.
    const bare = await rawRequest(url, { body });
    expect(bare.status).toBe(200);
    expect(JSON.parse(bare.text)).toEqual({ result: ['a'] });
  });
});

describe('WebSocket origins', () => {
  async function upgradeStatus(target: string, headers: Record<string, string>): Promise<number> {
    const socket = new WebSocket(target.replace('http', 'ws'), { headers });
    socket.on('error', () => {});
    const outcome = await Promise.race([
      once(socket, 'open').then(() => 101),
      once(socket, 'unexpected-response').then(([, response]) => (response as { statusCode: number }).statusCode),
    ]);
    socket.terminate();
    return outcome;
  }

  it("refuses a browser page from another origin, takes the server's own and those corsOrigins allows", async () => {
    const host = new URL(url).host;
    expect(await upgradeStatus(url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(url, { origin: `http://${host}` })).toBe(101);
    expect(await upgradeStatus(url, {})).toBe(101);
    const allowing = createComputeServer({ tasks: [echo], corsOrigins: ['http://app.example'] });
    const { url: allowingUrl } = await allowing.listen();
    try {
      expect(await upgradeStatus(allowingUrl, { origin: 'http://app.example' })).toBe(101);
      expect(await upgradeStatus(allowingUrl, { origin: 'http://evil.example' })).toBe(403);
    } finally {
      await allowing.close();
    }
  });
});

describe('slow bodies', () => {
  it('answers 408 and disconnects a client that sends its body too slowly', async () => {
    const pause = defineTask('pause', (ms: number) => new Promise((resolve) => setTimeout(resolve, ms, ms)));
    const slow = createComputeServer({ tasks: [echo, pause], requestTimeout: 300 });
    const { port, url: slowUrl } = await slow.listen();
    try {
      const socket = connect(port, '127.0.0.1');
      socket.setEncoding('utf8');
      let received = '';
      socket.on('data', (chunk: string) => (received += chunk));
      socket.on('error', () => {});
      // Promises 100 bytes, sends 10, then nothing: without a deadline this would hold the connection for minutes.
      socket.write('POST /compute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"task":"e');
      await once(socket, 'close');
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      expect(slow.activeCalls).toBe(0);
      // The deadline is for receiving the request: a task may run longer.
      expect(await send(slowUrl, { body: '{"task":"pause","input":600}' })).toMatchObject({ status: 200, json: { result: 600 } });
    } finally {
      await slow.close();
    }
  });

  it('refuses a requestTimeout that is not a positive number', () => {
    expect(() => createComputeServer({ tasks: [echo], requestTimeout: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('requestTimeout') }));
  });
});
