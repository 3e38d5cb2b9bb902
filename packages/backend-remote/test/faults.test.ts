import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { ComputeError, createHybridCompute, defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocket as UndiciWebSocket } from 'undici';
import { createRemoteBackend, RemoteBackend, type RemotePlatform, type WebSocketLike } from '../src/index.js';
import { runtimeRemotePlatform } from '../src/runtime-remote-platform.js';

const cli = join(dirname(createRequire(import.meta.url).resolve('@hybridcompute/server/package.json')), 'dist', 'cli.js');
const tasksModule = fileURLToPath(new URL('./fixtures/tasks.mjs', import.meta.url));
const transports = ['http', 'websocket'] as const;

const children = new Set<ChildProcess>();
const remotes = new Set<RemoteBackend>();
const cleanups: Array<() => Promise<void> | void> = [];

function remote(options: Parameters<typeof createRemoteBackend>[0]): RemoteBackend {
  const backend = createRemoteBackend(options);
  remotes.add(backend);
  return backend;
}

/** Starts the server CLI as a child process; resolves with its URL and a promise of each 'running <tag>' line. */
async function serverProcess(): Promise<{ child: ChildProcess; url: string; running: (tag: string) => Promise<void> }> {
  const child = spawn(process.execPath, [cli, tasksModule, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.stdout?.setEncoding('utf8');
  let stdout = '';
  const waiters: Array<{ tag: string; resolve: () => void }> = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const match = /at (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1] as string);
      for (const waiter of [...waiters]) {
        if (stdout.includes(`running ${waiter.tag}\n`)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const running = (tag: string): Promise<void> =>
    stdout.includes(`running ${tag}\n`) ? Promise.resolve() : new Promise((resolve) => waiters.push({ tag, resolve }));
  return { child, url, running };
}

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

afterEach(async () => {
  await Promise.all([...remotes].map((backend) => backend.close()));
  remotes.clear();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describe.each(transports)('faults over %s', (transport) => {
  it('rejects a call with BACKEND_UNAVAILABLE when the server is killed mid-call', async () => {
    const { child, url, running } = await serverProcess();
    const backend = remote({ endpoint: url, transport });
    const call = backend.runTask('hang', 'killed').catch((error: unknown) => error);
    await running('killed');
    child.kill('SIGKILL');
    const error = await call;
    expect(ComputeError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'hang', backend: 'remote' });
  });

  it('lets a router fall back to the local backend when the server is killed mid-call', async () => {
    const { child, url, running } = await serverProcess();
    const backend = remote({ endpoint: url, transport });
    await backend.connect();
    const local = createLocalBackend({ tasks: [defineTask('hang', (tag: string) => `local ran ${tag}`)] });
    const compute = createHybridCompute({ remote: backend, local }, { order: ['remote', 'local'] });
    const call = compute.runTask('hang', 'fallback');
    await running('fallback');
    child.kill('SIGKILL');
    await expect(call).resolves.toBe('local ran fallback');
  });

  it('fires the deadline against a server that accepts and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: NetServer = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const backend = remote({ endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/compute`, transport, timeout: 200 });
    const startedAt = Date.now();
    await expect(backend.runTask('anything', 1)).rejects.toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'anything' });
    expect(Date.now() - startedAt).toBeLessThan(10_000);
    expect(sockets.size).toBeGreaterThan(0);
    // Each endpoint gets the backend's timeout; when none answers in time, no server could be reached.
    await expect(backend.connect()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    // The caller's own deadline is reported as the caller's.
    await expect(backend.connect({ signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ code: 'TASK_TIMEOUT' });
  });

  it('spreads calls over two endpoints and keeps working when one is down', async () => {
    const live: ComputeServer = createComputeServer({ tasks: [defineTask('double', (n: number) => n * 2)] });
    const { url } = await live.listen();
    cleanups.push(() => live.close());
    const dead = `http://127.0.0.1:${await closedPort()}/compute`;
    const backend = remote({ endpoint: [dead, url], transport });
    const results: number[] = [];
    for (let index = 0; index < 20; index++) results.push(await backend.runTask<number, number>('double', index));
    expect(results).toEqual(Array.from({ length: 20 }, (_, index) => index * 2));
    await expect(Promise.all(Array.from({ length: 50 }, (_, index) => backend.runTask('double', index)))).resolves.toHaveLength(50);
  });

  it('rejects with BACKEND_UNAVAILABLE when its only endpoint is down', async () => {
    const backend = remote({ endpoint: `http://127.0.0.1:${await closedPort()}/compute`, transport });
    await expect(backend.runTask('double', 1)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(backend.connect()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
  });
});

describe.each(transports)('close() over %s', (transport) => {
  it('settles a call in flight with BACKEND_UNAVAILABLE and never retries it, even for an idempotent task', async () => {
    let starts = 0;
    const hang = defineTask('hang', () => {
      starts++;
      return new Promise(() => {});
    });
    const server = createComputeServer({ tasks: [hang], drainTimeout: 50 });
    const { url } = await server.listen();
    cleanups.push(() => server.close());
    const backend = remote({ endpoint: url, transport, idempotentTasks: ['hang'] });
    const call = backend.runTask('hang', 1).catch((error: unknown) => error);
    await expect.poll(() => starts).toBe(1);
    await backend.close();
    expect(await call).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'hang', message: expect.stringContaining('closed') });
    expect(starts).toBe(1);
    await expect(backend.runTask('hang', 2)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(starts).toBe(1);
  });
});

describe('connect() over several endpoints', () => {
  it('gives each endpoint its own timeout: a hung first endpoint does not stop the healthy second being asked', async () => {
    const sockets = new Set<Socket>();
    const silent: NetServer = createNetServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const live: ComputeServer = createComputeServer({ tasks: [defineTask('double', (n: number) => n * 2)] });
    const { url } = await live.listen();
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await live.close();
    });
    const endpoints = [`http://127.0.0.1:${(silent.address() as AddressInfo).port}/compute`, url];
    const backend = remote({ endpoint: endpoints, timeout: 300 });
    await backend.connect();
    // The silent endpoint was asked first (and held the attempt until its timeout).
    expect(sockets.size).toBeGreaterThan(0);
    expect(backend.taskNames).toEqual(['double']);
    expect(backend.canRun('triple')).toBe(false);
    // A caller's signal bounds the whole of connect(), not only the first attempt.
    const other = remote({ endpoint: endpoints, timeout: 300, tasks: [] });
    await other.connect({ signal: AbortSignal.timeout(30_000) });
    expect(other.taskNames).toEqual(['double']);
  });
});

describe('close() while a WebSocket is still opening', () => {
  it('rejects the calls waiting for it at once, though no deadline would ever end them', async () => {
    const sockets = new Set<Socket>();
    const silent: NetServer = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const backend = remote({ endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/compute`, transport: 'websocket' });
    const calls = [backend.runTask('a', 1), backend.runTask('b', 2)].map((call) => call.catch((error: unknown) => error));
    await expect.poll(() => sockets.size).toBe(1);
    await backend.close();
    for (const error of await Promise.all(calls)) expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('closed') });
  });
});

describe('a WebSocket factory that throws', () => {
  it('fails that call with BACKEND_UNAVAILABLE, backs off, then opens a socket for a later call', async () => {
    const live: ComputeServer = createComputeServer({ tasks: [defineTask('double', (n: number) => n * 2)] });
    const { url } = await live.listen();
    cleanups.push(() => live.close());
    let made = 0;
    const platform: RemotePlatform = {
      // This runtime's HTTP transport: undici's pools would not work on Bun, whose undici is partial.
      createHttpTransport: runtimeRemotePlatform.createHttpTransport,
      createWebSocket: (target) => {
        made++;
        if (made === 1) throw new SyntaxError('no WebSocket for you');
        return new UndiciWebSocket(target) as unknown as WebSocketLike;
      },
    };
    const backend = new RemoteBackend({ endpoint: url, transport: 'websocket' }, platform);
    remotes.add(backend);
    expect(await backend.runTask('double', 1).catch((error: unknown) => error)).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    // Calls inside the backoff fail fast without a new socket; once it has passed, one opens and serves.
    await expect.poll(() => backend.runTask('double', 21).catch((error: unknown) => error), { timeout: 10_000 }).toBe(42);
    expect(made).toBe(2);
  });
});

describe('bad call options', () => {
  it('rejects a timeout that is not a usable number of milliseconds with a TypeError', async () => {
    const backend = remote({ endpoint: 'http://127.0.0.1:9/compute' });
    for (const timeout of [-1, Number.NaN, 2 ** 31, '100']) {
      const error = await backend.runTask('x', 1, { timeout: timeout as number }).catch((caught: unknown) => caught);
      expect(error, String(timeout)).toBeInstanceOf(TypeError);
      expect(error, String(timeout)).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('timeout') });
    }
    expect(() => createRemoteBackend({ endpoint: 'http://127.0.0.1:9/compute', timeout: 2 ** 40 })).toThrow(/timeout/);
  });

  it('rejects a signal that is not an AbortSignal, and options that are not an object, instead of throwing', async () => {
    const backend = remote({ endpoint: 'http://127.0.0.1:9/compute' });
    let call: Promise<unknown> | undefined;
    expect(() => (call = backend.runTask('x', 1, { signal: {} as AbortSignal }))).not.toThrow();
    await expect(call).rejects.toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('signal') });
    await expect(backend.runTask('x', 1, 5 as never)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    await expect(backend.runTask('x', 1, { idempotencyKey: 7 as never })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('refuses retries that are not an integer of at least 0 (1.5 would retry without end)', () => {
    for (const retries of [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, '2']) {
      let error: unknown;
      try {
        createRemoteBackend({ endpoint: 'http://127.0.0.1:9/compute', retries: retries as number });
      } catch (caught) {
        error = caught;
      }
      expect(error, String(retries)).toBeInstanceOf(TypeError);
      expect(error, String(retries)).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringContaining('retries') });
    }
    expect(() => createRemoteBackend({ endpoint: 'http://127.0.0.1:9/compute', retries: 0 })).not.toThrow();
  });
});

describe('a dropped WebSocket', () => {
  it('rejects the calls pending on it with BACKEND_UNAVAILABLE, then reconnects for the next call', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    cleanups.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    let connections = 0;
    wss.on('connection', (socket) => {
      connections++;
      const drop = connections === 1;
      socket.on('message', (data) => {
        const { id, input } = JSON.parse(String(data)) as { id: number; input: number };
        // The first connection drops as soon as it has two calls; later ones answer.
        if (drop && id === 2) socket.terminate();
        if (!drop) socket.send(JSON.stringify({ id, result: input * 2 }));
      });
    });
    const backend = remote({ endpoint: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/compute`, transport: 'websocket' });
    const first = backend.runTask('double', 1).catch((error: unknown) => error);
    const second = backend.runTask('double', 2).catch((error: unknown) => error);
    expect(await first).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(await second).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    await expect(backend.runTask('double', 21)).resolves.toBe(42);
    expect(connections).toBe(2);
  });
});

describe('a WebSocket that closes while a new one serves', () => {
  // A hand-written WebSocket server, so the test decides when each TCP connection ends:
  // `ws` would finish the closing handshake on its own.
  const accept = (key: string): string => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  function textFrame(text: string): Buffer {
    const payload = Buffer.from(text);
    return Buffer.concat([Buffer.from(payload.length < 126 ? [0x81, payload.length] : [0x81, 126, payload.length >> 8, payload.length & 0xff]), payload]);
  }
  /** Splits a client's (masked) frames off the front of `buffer`. */
  function readFrames(buffer: Buffer): { frames: Array<{ opcode: number; text: string }>; rest: Buffer } {
    const frames: Array<{ opcode: number; text: string }> = [];
    let offset = 0;
    for (;;) {
      if (buffer.length - offset < 2) break;
      let length = (buffer[offset + 1] as number) & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      }
      if (buffer.length - offset < header + 4 + length) break;
      const mask = buffer.subarray(offset + header, offset + header + 4);
      const payload = Buffer.from(buffer.subarray(offset + header + 4, offset + header + 4 + length));
      for (let index = 0; index < payload.length; index++) payload[index] = (payload[index] as number) ^ (mask[index % 4] as number);
      frames.push({ opcode: (buffer[offset] as number) & 0x0f, text: payload.toString() });
      offset += header + 4 + length;
    }
    return { frames, rest: buffer.subarray(offset) };
  }

  it('fails only the calls sent on the closing socket, not those already sent on its successor', async () => {
    const connections: Socket[] = [];
    const seen: Array<{ connection: number; opcode: number; text: string }> = [];
    const held: Array<() => void> = [];
    const server = createNetServer((socket) => {
      const connection = connections.push(socket) - 1;
      let buffer: Buffer = Buffer.alloc(0);
      let upgraded = false;
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (!upgraded) {
          const end = buffer.indexOf('\r\n\r\n');
          if (end === -1) return;
          const key = /sec-websocket-key: *(\S+)/i.exec(buffer.subarray(0, end).toString())?.[1] ?? '';
          socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\n\r\n`);
          buffer = buffer.subarray(end + 4);
          upgraded = true;
        }
        const { frames, rest } = readFrames(buffer);
        buffer = rest;
        for (const frame of frames) {
          seen.push({ connection, ...frame });
          if (frame.opcode !== 1) continue;
          const { id, input } = JSON.parse(frame.text) as { id: number; input: number };
          // The first connection starts a close and answers nothing; the second answers when the test says.
          if (connection === 0) socket.write(Buffer.from([0x88, 0x00]));
          else held.push(() => socket.write(textFrame(JSON.stringify({ id, result: input * 2 }))));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      for (const socket of connections) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    // JSON: the test counts this server's connections, and 'auto' would first ask it GET /tasks on one of them.
    const backend = remote({ endpoint: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/compute`, transport: 'websocket', encoding: 'json' });
    const first = backend.runTask('double', 1).catch((error: unknown) => error);
    // The client's answering close frame: its first socket is now closing, but its TCP connection is still up.
    await expect.poll(() => seen.some((frame) => frame.connection === 0 && frame.opcode === 8)).toBe(true);
    const second = backend.runTask('double', 21).catch((error: unknown) => error);
    await expect.poll(() => held.length).toBe(1);
    // Only now does the first connection end: its close must not take the second call with it.
    connections[0]?.destroy();
    expect(await first).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    for (const answer of held) answer();
    expect(await second).toBe(42);
  });
});

describe('retries', () => {
  async function flakyServer(answers: Array<{ status: number; body: unknown; retryAfter?: string }>): Promise<{ url: string; hits: () => number; keys: () => Array<string | undefined> }> {
    let hits = 0;
    const keys: Array<string | undefined> = [];
    const server = createHttpServer((request, response) => {
      request.resume();
      request.on('end', () => {
        const answer = answers[Math.min(hits, answers.length - 1)] as { status: number; body: unknown; retryAfter?: string };
        hits++;
        keys.push(request.headers['idempotency-key'] as string | undefined);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
        response.writeHead(answer.status, headers).end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/compute`, hits: () => hits, keys: () => keys };
  }
  const busy = { status: 503, body: { error: 'busy', code: 'QUEUE_FULL' }, retryAfter: '0' };
  const ok = { status: 200, body: { result: 'ok' } };

  it('retries a 503 with Retry-After for an idempotent task', async () => {
    const server = await flakyServer([busy, busy, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'] });
    await expect(backend.runTask('safe', 1)).resolves.toBe('ok');
    expect(server.hits()).toBe(3);
  });

  it('retries a call that carries an idempotency key, sending the key', async () => {
    const server = await flakyServer([busy, ok]);
    const backend = remote({ endpoint: server.url });
    await expect(backend.runTask('any', 1, { idempotencyKey: 'order-17' })).resolves.toBe('ok');
    expect(server.keys()).toEqual(['order-17', 'order-17']);
  });

  it('does not retry a task that is not marked idempotent', async () => {
    const server = await flakyServer([busy, ok]);
    const backend = remote({ endpoint: server.url });
    await expect(backend.runTask('unsafe', 1)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(server.hits()).toBe(1);
  });

  it("never retries a task's own failure (422)", async () => {
    const server = await flakyServer([{ status: 422, body: { error: 'no', code: 'TASK_FAILED' } }, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'] });
    await expect(backend.runTask('safe', 1)).rejects.toMatchObject({ code: 'TASK_FAILED', message: 'no' });
    expect(server.hits()).toBe(1);
  });

  it('reads Retry-After given as an HTTP date, and gives up when it lies past the deadline', async () => {
    const server = await flakyServer([{ ...busy, retryAfter: new Date(Date.now() + 60_000).toUTCString() }, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'], timeout: 1_000 });
    await expect(backend.runTask('safe', 1)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(server.hits()).toBe(1);
  });

  it('close() wakes a call waiting out a backoff: it rejects BACKEND_UNAVAILABLE and is not sent again', async () => {
    const server = await flakyServer([{ ...busy, retryAfter: '30' }, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'] });
    const call = backend.runTask('safe', 1).catch((error: unknown) => error);
    await expect.poll(() => server.hits()).toBe(1);
    await backend.close();
    expect(await call).toMatchObject({ code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('closed') });
    expect(server.hits()).toBe(1);
  });

  it('an abort during the backoff settles the call at once with TASK_ABORTED, and it is not sent again', async () => {
    const server = await flakyServer([{ ...busy, retryAfter: '30' }, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'] });
    const controller = new AbortController();
    const call = backend.runTask('safe', 1, { signal: controller.signal }).catch((error: unknown) => error);
    await expect.poll(() => server.hits()).toBe(1);
    controller.abort();
    expect(await call).toMatchObject({ code: 'TASK_ABORTED', taskName: 'safe' });
    expect(server.hits()).toBe(1);
  });

  it('gives up within the deadline instead of waiting out a long Retry-After', async () => {
    const server = await flakyServer([{ ...busy, retryAfter: '30' }, ok]);
    const backend = remote({ endpoint: server.url, idempotentTasks: ['safe'], timeout: 300 });
    const startedAt = Date.now();
    await expect(backend.runTask('safe', 1)).rejects.toMatchObject({ code: 'QUEUE_FULL' });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(server.hits()).toBe(1);
  });
});
