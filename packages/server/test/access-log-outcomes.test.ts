import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { defineTask } from '@hybridcompute/core';
import { msgpackCodec, streamMediaTypeOf } from '@hybridcompute/wire';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type AccessLogFields, type ComputeServer } from '../src/index.js';
import { closeClient, post, rawRequest, send } from './http-client.js';
import { parsePrometheusText } from './prometheus-text.js';

// The access log and the metrics carry the code the caller was answered with, not the task's:
// a result or chunk its encoding cannot carry, and a stream failing midway, are failures.

const secretInput = 'INPUT-93b1-do-not-log';
const secretOutput = 'OUTPUT-5d20-do-not-log';
// A function travels in no encoding: JSON and MessagePack callers alike cannot be sent it.
const unsendable = { label: secretOutput, callback: () => 1 };
const unencodable = defineTask('unencodable', (_text: string) => unsendable);
const progressThenUnencodable = defineTask('progress-then-unencodable', (_text: string, { progress }) => {
  progress(1);
  return unsendable;
});
const three = defineTask('three', async function* (_text: string) {
  yield `${secretOutput}-1`;
  yield `${secretOutput}-2`;
  yield `${secretOutput}-3`;
});
const halfway = defineTask('halfway', async function* (_text: string) {
  yield `${secretOutput}-1`;
  throw new Error(`broke after one chunk, ${secretOutput}`);
});
const badChunk = defineTask('bad-chunk', async function* (_text: string) {
  yield `${secretOutput}-1`;
  yield unsendable;
});
const endless = defineTask('endless', async function* (_text: string) {
  for (let n = 1; ; n++) yield n;
});
const tasks = [unencodable, progressThenUnencodable, three, halfway, badChunk, endless];

interface LoggedLine {
  fields: AccessLogFields;
  message: string | undefined;
}

const servers: ComputeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(closeClient);

async function start(): Promise<{ url: string; metricsUrl: string; lines: LoggedLine[] }> {
  const lines: LoggedLine[] = [];
  const server = createComputeServer({ tasks, metrics: true, logger: { info: (fields, message) => void lines.push({ fields, message }) } });
  servers.push(server);
  const { url, metricsUrl } = await server.listen(0, '127.0.0.1');
  return { url, metricsUrl: metricsUrl!, lines };
}

/** A streamed POST's status and records, decoded in the encoding `accept` names. */
async function postStreamed(url: string, body: unknown, accept: string): Promise<{ status: number; records: Array<Record<string, unknown>> }> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept } }, resolve);
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
  const pieces: Buffer[] = [];
  for await (const piece of response) pieces.push(piece as Buffer);
  const bytes = Buffer.concat(pieces);
  const records: Array<Record<string, unknown>> = [];
  if (accept === streamMediaTypeOf.msgpack) msgpackCodec.decodeSequence(bytes, (record) => records.push(record as Record<string, unknown>));
  else for (const line of bytes.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line) as Record<string, unknown>);
  return { status: response.statusCode ?? 0, records };
}

/** Sends one call frame on a JSON WebSocket and collects its frames until its last (an answer, an end or an error). */
async function callOverWebSocket(url: string, frame: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'));
  await once(socket, 'open');
  const frames: Array<Record<string, unknown>> = [];
  const last = new Promise<void>((resolve) => {
    socket.on('message', (data) => {
      const received = JSON.parse(String(data)) as Record<string, unknown>;
      frames.push(received);
      if (!('chunk' in received) && !('progress' in received)) resolve();
    });
  });
  socket.send(JSON.stringify(frame));
  await last;
  socket.close();
  await once(socket, 'close');
  return frames;
}

/** Waits for the `count`th access-log line: a streamed answer's line is written once its last record went. */
async function linesWhen(lines: LoggedLine[], count: number): Promise<LoggedLine[]> {
  await expect.poll(() => lines.length).toBe(count);
  return lines;
}

function expectWellFormed(line: LoggedLine, transport: 'http' | 'websocket'): void {
  expect(line.message).toBe('call');
  expect(Object.keys(line.fields).sort()).toEqual(['address', 'code', 'durationMs', 'task', 'transport']);
  expect(line.fields.address).toBe('127.0.0.1');
  expect(line.fields.transport).toBe(transport);
  expect(line.fields.durationMs).toBeGreaterThanOrEqual(0);
  const written = JSON.stringify(line.fields);
  expect(written).not.toContain(secretInput);
  expect(written).not.toContain(secretOutput);
}

describe('the access log and metrics carry the code the caller got', () => {
  it('counts an HTTP result its encoding cannot carry as the TASK_FAILED it was answered with, JSON and MessagePack', async () => {
    const { url, metricsUrl, lines } = await start();
    expect(await post(url, { task: 'unencodable', input: secretInput })).toMatchObject({ status: 422, json: { code: 'TASK_FAILED' } });
    const packed = await rawRequest(url, { body: Buffer.from(msgpackCodec.encode({ task: 'unencodable', input: secretInput })), headers: { 'content-type': 'application/vnd.msgpack' } });
    expect(packed.status).toBe(422);
    expect(await linesWhen(lines, 2)).toHaveLength(2);
    for (const line of lines) {
      expectWellFormed(line, 'http');
      expect(line.fields).toMatchObject({ task: 'unencodable', code: 'TASK_FAILED' });
    }
    const samples = parsePrometheusText((await send(metricsUrl, { method: 'GET' })).text);
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_FAILED",task="unencodable"}')).toBe(2);
    expect(samples.has('hybridcompute_server_calls_total{code="OK",task="unencodable"}')).toBe(false);
  });

  it('counts an HTTP call with progress whose result cannot travel as TASK_FAILED, with the caller address', async () => {
    const { url, lines } = await start();
    const { status, records } = await postStreamed(url, { task: 'progress-then-unencodable', input: secretInput }, streamMediaTypeOf.json);
    expect(status).toBe(200);
    expect(records[0]).toEqual({ progress: 1 });
    expect(records.at(-1)).toMatchObject({ code: 'TASK_FAILED' });
    const [line] = await linesWhen(lines, 1);
    expectWellFormed(line!, 'http');
    expect(line!.fields).toMatchObject({ task: 'progress-then-unencodable', code: 'TASK_FAILED' });
  });

  it.each([
    ['NDJSON', streamMediaTypeOf.json],
    ['a MessagePack sequence', streamMediaTypeOf.msgpack],
  ])('logs HTTP streams answered as %s with their outcome code and the caller address', async (_label, accept) => {
    const { url, metricsUrl, lines } = await start();
    const ended = await postStreamed(url, { task: 'three', input: secretInput, stream: true }, accept);
    expect(ended.records.at(-1)).toEqual({ end: true });
    const broke = await postStreamed(url, { task: 'halfway', input: secretInput, stream: true }, accept);
    expect(broke.records[0]).toEqual({ chunk: `${secretOutput}-1` });
    expect(broke.records.at(-1)).toMatchObject({ code: 'TASK_FAILED' });
    const unsent = await postStreamed(url, { task: 'bad-chunk', input: secretInput, stream: true }, accept);
    expect(unsent.records.at(-1)).toMatchObject({ code: 'TASK_FAILED' });
    const refused = await postStreamed(url, { task: 'nope', input: secretInput, stream: true }, accept);
    expect(refused.status).toBe(404);

    await linesWhen(lines, 4);
    expect(lines.map(({ fields }) => [fields.task, fields.code])).toEqual([
      ['three', 'OK'],
      ['halfway', 'TASK_FAILED'],
      ['bad-chunk', 'TASK_FAILED'],
      ['nope', 'TASK_NOT_FOUND'],
    ]);
    for (const line of lines) expectWellFormed(line, 'http');
    const samples = parsePrometheusText((await send(metricsUrl, { method: 'GET' })).text);
    expect(samples.get('hybridcompute_server_calls_total{code="OK",task="three"}')).toBe(1);
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_FAILED",task="halfway"}')).toBe(1);
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_FAILED",task="bad-chunk"}')).toBe(1);
    expect(samples.get('hybridcompute_server_call_duration_seconds_count{code="OK",task="three"}')).toBe(1);
  });

  it('logs WebSocket calls and streams with the code of their last frame', async () => {
    const { url, metricsUrl, lines } = await start();
    const answered = await callOverWebSocket(url, { id: 1, task: 'unencodable', input: secretInput });
    expect(answered.at(-1)).toMatchObject({ id: 1, code: 'TASK_FAILED' });
    const ended = await callOverWebSocket(url, { id: 2, task: 'three', input: secretInput, stream: 8 });
    expect(ended.at(-1)).toEqual({ id: 2, end: true });
    const broke = await callOverWebSocket(url, { id: 3, task: 'halfway', input: secretInput, stream: 8 });
    expect(broke.at(-1)).toMatchObject({ id: 3, code: 'TASK_FAILED' });
    const unsent = await callOverWebSocket(url, { id: 4, task: 'bad-chunk', input: secretInput, stream: 8 });
    expect(unsent.at(-1)).toMatchObject({ id: 4, code: 'TASK_FAILED' });

    await linesWhen(lines, 4);
    expect(lines.map(({ fields }) => [fields.task, fields.code])).toEqual([
      ['unencodable', 'TASK_FAILED'],
      ['three', 'OK'],
      ['halfway', 'TASK_FAILED'],
      ['bad-chunk', 'TASK_FAILED'],
    ]);
    for (const line of lines) expectWellFormed(line, 'websocket');
    const samples = parsePrometheusText((await send(metricsUrl, { method: 'GET' })).text);
    expect(samples.get('hybridcompute_server_calls_total{code="TASK_FAILED",task="unencodable"}')).toBe(1);
    expect(samples.has('hybridcompute_server_calls_total{code="OK",task="unencodable"}')).toBe(false);
    expect(samples.get('hybridcompute_server_calls_total{code="OK",task="three"}')).toBe(1);
  });

  it('logs a stream its caller left midway as TASK_ABORTED, still with the address, on both transports', async () => {
    const { url, lines } = await start();
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: streamMediaTypeOf.json } }, resolve);
      request.on('error', reject);
      request.end(JSON.stringify({ task: 'endless', input: secretInput, stream: true }));
    });
    await once(response, 'data');
    response.destroy();
    const [httpLine] = await linesWhen(lines, 1);
    expectWellFormed(httpLine!, 'http');
    expect(httpLine!.fields).toMatchObject({ task: 'endless', code: 'TASK_ABORTED' });

    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    await once(socket, 'open');
    socket.send(JSON.stringify({ id: 1, task: 'endless', input: secretInput, stream: 4 }));
    await once(socket, 'message');
    socket.terminate();
    const [, webSocketLine] = await linesWhen(lines, 2);
    expectWellFormed(webSocketLine!, 'websocket');
    expect(webSocketLine!.fields).toMatchObject({ task: 'endless', code: 'TASK_ABORTED' });
  });
});
