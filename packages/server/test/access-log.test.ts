import { once } from 'node:events';
import { defineTask } from '@hybridcompute/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type AccessLogFields, type ComputeServer } from '../src/index.js';
import { closeClient, post } from './http-client.js';

const secretInput = 'INPUT-7f3a-do-not-log';
const secretOutput = 'OUTPUT-c41e-do-not-log';
const echo = defineTask('echo', (text: string) => `${secretOutput}:${text}`);
const fail = defineTask('fail', (text: string): never => {
  throw new Error(`failed on ${text} with ${secretOutput}`);
});

const servers: ComputeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
afterAll(closeClient);

function collectingLogger(): { lines: Array<{ fields: AccessLogFields; message: string | undefined }>; info(fields: AccessLogFields, message?: string): void } {
  const lines: Array<{ fields: AccessLogFields; message: string | undefined }> = [];
  return { lines, info: (fields, message) => void lines.push({ fields, message }) };
}

describe('access log', () => {
  it('writes one line per call, HTTP and WebSocket, with task, code, duration, address and transport, and never the input or output', async () => {
    const logger = collectingLogger();
    const server = createComputeServer({ tasks: [echo, fail], logger });
    servers.push(server);
    const { url } = await server.listen(0);

    expect(await post(url, { task: 'echo', input: secretInput })).toMatchObject({ status: 200, json: { result: `${secretOutput}:${secretInput}` } });
    expect(await post(url, { task: 'fail', input: secretInput })).toMatchObject({ status: 422 });
    expect(await post(url, { task: 'nope', input: secretInput })).toMatchObject({ status: 404 });
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    await once(socket, 'open');
    socket.send(JSON.stringify({ id: 7, task: 'echo', input: secretInput }));
    const [frame] = (await once(socket, 'message')) as [Buffer];
    expect(frame.toString()).toContain(secretOutput);
    socket.close();

    expect(logger.lines.map(({ fields }) => [fields.task, fields.code, fields.transport])).toEqual([
      ['echo', 'OK', 'http'],
      ['fail', 'TASK_FAILED', 'http'],
      ['nope', 'TASK_NOT_FOUND', 'http'],
      ['echo', 'OK', 'websocket'],
    ]);
    for (const { fields, message } of logger.lines) {
      expect(message).toBe('call');
      expect(Object.keys(fields).sort()).toEqual(['address', 'code', 'durationMs', 'task', 'transport']);
      expect(fields.address).toBe('127.0.0.1');
      expect(fields.durationMs).toBeGreaterThanOrEqual(0);
      const written = JSON.stringify(fields);
      expect(written).not.toContain(secretInput);
      expect(written).not.toContain(secretOutput);
    }
  });

  it('keeps answering when the logger throws', async () => {
    const server = createComputeServer({
      tasks: [echo],
      logger: {
        info() {
          throw new Error('disk full');
        },
      },
    });
    servers.push(server);
    const { url } = await server.listen(0);
    expect(await post(url, { task: 'echo', input: 'x' })).toMatchObject({ status: 200, json: { result: `${secretOutput}:x` } });
  });

  it('refuses a logger without info() with INVALID_REQUEST', () => {
    for (const logger of [{}, 'console', { info: 'yes' }]) {
      expect(() => createComputeServer({ tasks: [echo], logger: logger as never })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(/logger/) }));
    }
  });
});
