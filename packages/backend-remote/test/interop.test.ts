import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComputeError, defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { WebSocket } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend } from '../src/index.js';

// The client of the @hybrid-compute/remote README, fetch transport, written out as plain code.
async function legacyFetchRunTask(endpoint: string, task: string, input: unknown): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ task, input }),
  });
  const { result, error } = (await response.json()) as { result?: unknown; error?: unknown };
  if (error) throw new Error(error as string);
  return result;
}

describe('a @hybrid-compute/remote client against our server', () => {
  let server: ComputeServer;
  let url: string;
  beforeAll(async () => {
    const reverse = defineTask('reverse', (text: string) => {
      if (typeof text !== 'string') throw new Error('Input must be a string');
      return [...text].reverse().join('');
    });
    server = createComputeServer({ tasks: [reverse] });
    ({ url } = await server.listen());
  });
  afterAll(() => server.close());

  it('gets { result } over fetch, and errors as a plain string message', async () => {
    await expect(legacyFetchRunTask(url, 'reverse', 'abc')).resolves.toBe('cba');
    await expect(legacyFetchRunTask(url, 'reverse', 42)).rejects.toThrow("Task 'reverse' failed: Input must be a string");
    await expect(legacyFetchRunTask(url, 'missing', 1)).rejects.toThrow("Task 'missing' is not available on backend 'server'");
  });

  it('gets { id, result } and { id, error } over the WebSocket with numeric ids', async () => {
    const socket = new WebSocket(url.replace('http', 'ws'));
    await once(socket as unknown as EventTarget, 'open');
    const answers = new Map<number, { id: number; result?: unknown; error?: unknown }>();
    socket.onmessage = (event) => {
      const { id, result, error } = JSON.parse(String(event.data)) as { id: number; result?: unknown; error?: unknown };
      answers.set(id, { id, result, error });
    };
    socket.send(JSON.stringify({ task: 'reverse', input: 'hello', id: 1 }));
    socket.send(JSON.stringify({ task: 'reverse', input: 7, id: 2 }));
    await expect.poll(() => answers.size).toBe(2);
    expect(answers.get(1)).toEqual({ id: 1, result: 'olleh', error: undefined });
    expect(typeof answers.get(2)?.error).toBe('string');
    socket.close();
  });
});

describe('our client against a server written to the @hybrid-compute/remote README', () => {
  let legacy: Server;
  let endpoint: string;
  beforeAll(async () => {
    // The README's Express example, on node:http: 200 { result } or 400 { error }.
    const tasks: Record<string, (input: unknown) => Promise<unknown>> = {
      echo: async (input) => `Echo from remote server: ${String(input)}`,
      reverse: async (input) => {
        if (typeof input !== 'string') throw new Error('Input must be a string');
        return input.split('').reverse().join('');
      },
    };
    legacy = createServer((request, response) => {
      if (request.method !== 'POST' || request.url !== '/compute') {
        response.writeHead(404).end();
        return;
      }
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      request.on('end', async () => {
        const { task, input } = JSON.parse(raw) as { task: string; input: unknown };
        try {
          const run = Object.hasOwn(tasks, task) ? tasks[task] : undefined;
          if (!task || !run) throw new Error(`Unknown task '${task}'`);
          const result = await run(input);
          response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result }));
        } catch (error) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
        }
      });
    });
    await new Promise<void>((resolve) => legacy.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(legacy.address() as AddressInfo).port}/compute`;
  });
  afterAll(() => new Promise<void>((resolve) => legacy.close(() => resolve())));

  it('runs tasks and maps the bare { error } to TASK_FAILED with its message', async () => {
    const remote = createRemoteBackend({ endpoint, transport: 'fetch' });
    await remote.connect(); // no GET /tasks there: canRun stays open
    expect(remote.canRun('echo')).toBe(true);
    await expect(remote.runTask('echo', 'Remote via fetch!')).resolves.toBe('Echo from remote server: Remote via fetch!');
    await expect(remote.runTask('reverse', 'abc')).resolves.toBe('cba');
    const error = await remote.runTask('reverse', 5).catch((caught: unknown) => caught);
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TASK_FAILED', message: 'Input must be a string', taskName: 'reverse', backend: 'remote' });
    await expect(remote.runTask('nope', 1)).rejects.toMatchObject({ code: 'TASK_FAILED', message: "Unknown task 'nope'" });
    await remote.close();
  });

  it('limits canRun to the tasks it is told about', async () => {
    const remote = createRemoteBackend({ endpoint, tasks: ['echo'] });
    expect(remote.canRun('echo')).toBe(true);
    expect(remote.canRun('reverse')).toBe(false);
    await remote.close();
    expect(remote.canRun('echo')).toBe(false);
  });
});
