import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { expect, inject, it } from 'vitest';
import { uniqueQueueName } from './queue-name.js';

const fixture = new URL('./fixtures/call-close-and-exit.mjs', import.meta.url).pathname;
/** How long the process may take to exit once both sides have closed: it has nothing left to do. */
const exitWithinMs = 5_000;

// Node, Bun and Deno (the suite runs on each), on a real Redis: a process that has closed its
// BullMQ worker and its backend keeps no connection, blocking read or timer alive.
it('lets a process exit on its own once its worker and backend have closed, after a call', async () => {
  const env = { ...process.env, REDIS_URL: inject('redisUrl'), QUEUE: uniqueQueueName('process-exit') };
  const child = spawn(process.execPath, [fixture], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
  // Lines in order, read to the end of stdout: the exit can be reported before the last of it is read.
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => {
    const line = await lines.next();
    if (line.done === true) throw new Error(`the process ended its output early (exit: ${String(await exited)})`);
    return line.value;
  };
  try {
    expect(await nextLine()).toBe('42');
    expect(await nextLine()).toBe('closed');
    const closedAt = Date.now();
    const tooLate = new Promise<'still running'>((resolve) => setTimeout(resolve, exitWithinMs, 'still running').unref());
    expect(await Promise.race([exited, tooLate])).toEqual([0, null]);
    expect(Date.now() - closedAt).toBeLessThan(exitWithinMs);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 30_000);
