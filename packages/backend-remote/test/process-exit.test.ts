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
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  try {
    // The answers are printed once both backends have closed: from then on the process has a few seconds to exit.
    const [answers] = (await once(child.stdout.setEncoding('utf8'), 'data')) as [string];
    const closedAt = Date.now();
    expect(answers.trim()).toBe('[4,6]');
    const tooLate = new Promise<'still running'>((resolve) => setTimeout(resolve, 5_000, 'still running').unref());
    expect(await Promise.race([exited, tooLate])).toEqual([0, null]);
    expect(Date.now() - closedAt).toBeLessThan(5_000);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
