import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, beforeAll, expect, it } from 'vitest';

let server: ComputeServer;
let url: string;
const token = 'exit-test-token';
beforeAll(async () => {
  server = createComputeServer({ tasks: [defineTask('double', (n: number) => n * 2)], token });
  ({ url } = await server.listen());
});
afterAll(() => server.close());

// Bun and Deno as well as Node: a client that has closed its backends leaves no socket,
// timer or pool behind to keep its process alive.
it('lets a process exit once close() has resolved, after calls over HTTP and WebSocket', async () => {
  const client = new URL('./fixtures/close-and-exit-client.mjs', import.meta.url);
  const child = spawn(process.execPath, [client.pathname], { env: { ...process.env, ENDPOINT: url, TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(stdout.trim()).toBe('[4,6]');
  expect(code).toBe(0);
});
