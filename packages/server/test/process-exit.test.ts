import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { post } from './http-client.js';

const fixture = new URL('./fixtures/serve-until-told.mjs', import.meta.url).pathname;
/** How long a closed server's process may take to exit: it has nothing left to do. */
const exitWithinMs = 5_000;

// Node, Bun and Deno (the suite runs on each): a server closed while a client still holds a
// keep-alive HTTP connection and an open WebSocket to it leaves nothing behind that keeps its
// process alive, with the tasks on its own thread or on a worker pool.
describe('a process that has closed its server', () => {
  it.each(['this thread', 'worker'])('exits on its own, with clients still connected (tasks on %s)', async (backend) => {
    const child = spawn(process.execPath, [fixture], { env: { ...process.env, BACKEND: backend }, stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
    // Lines in order, read to the end of stdout: the exit can be reported before the last of it is read.
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const nextLine = async () => {
      const line = await lines.next();
      if (line.done === true) throw new Error(`the server's process ended its output early (exit: ${String(await exited)})`);
      return line.value;
    };
    let socket: WebSocket | undefined;
    try {
      const url = await nextLine();
      // A keep-alive connection (the test client's pool keeps it) and an open WebSocket, both used.
      expect(await post(url, { task: 'double', input: 21 })).toMatchObject({ status: 200, json: { result: 42 } });
      socket = new WebSocket(url.replace(/^http/, 'ws'));
      await once(socket, 'open');
      socket.send(JSON.stringify({ id: 1, task: 'double', input: 4 }));
      const [frame] = (await once(socket, 'message')) as [Buffer];
      expect(JSON.parse(frame.toString())).toMatchObject({ id: 1, result: 8 });
      const socketClosed = once(socket, 'close');

      child.stdin.end('close\n');
      expect(await nextLine()).toBe('closed');
      const closedAt = Date.now();
      const tooLate = new Promise<'still running'>((resolve) => setTimeout(resolve, exitWithinMs, 'still running').unref());
      expect(await Promise.race([exited, tooLate])).toEqual([0, null]);
      expect(Date.now() - closedAt).toBeLessThan(exitWithinMs);
      // The server closed the WebSocket it held: the client hears it.
      await socketClosed;
    } finally {
      socket?.terminate();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
