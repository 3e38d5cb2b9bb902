import { once } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defineTask } from '@hybridcompute/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { agent, send } from './http-client.js';

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
  await agent.close();
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

function gc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
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
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let round = 0; round < 3; round++) await runAll();
    gc();
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
