import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineTask, type TaskContext } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { launchHeadlessChromium, type BrowserContext, type HeadlessChromium } from '@hybridcompute/headless-chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built browser entry, as a bundler would pick it by the `browser` condition, loaded in real Chromium.
const roots: Record<string, string> = {
  '/remote/': fileURLToPath(new URL('../dist/', import.meta.url)),
  '/remote-without-socket/': fileURLToPath(new URL('../dist/', import.meta.url)),
  '/core/': join(dirname(createRequire(import.meta.url).resolve('@hybridcompute/core/package.json')), 'dist'),
  '/wire/': join(dirname(createRequire(import.meta.url).resolve('@hybridcompute/wire/package.json')), 'dist'),
  // msgpackr's own browser build (its `browser` condition), as a bundler would pick it.
  '/msgpackr/': dirname(dirname(createRequire(createRequire(import.meta.url).resolve('@hybridcompute/wire/package.json')).resolve('msgpackr'))),
};
const page = `<!doctype html>
<script type="importmap">{ "imports": { "@hybridcompute/core": "/core/index.js", "@hybridcompute/wire": "/wire/index.js", "@hybridcompute/wire/json": "/wire/json.js", "@hybridcompute/wire/msgpack": "/wire/msgpack.js", "msgpackr": "/msgpackr/index.js" } }</script>
<script type="module">
  import { createRemoteBackend } from '/remote/browser.js';
  window.scenario = async (endpoint, token) => {
    const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ code: error.code, message: error.message }));
    const results = {};
    // MessagePack's codec is a chunk of its own, fetched only once a server offers it.
    const msgpackFetched = () => performance.getEntriesByType('resource').some((entry) => entry.name.endsWith('/wire/msgpack.js'));
    // So is the WebSocket transport, fetched only once a backend uses it.
    const socketChunkFetched = () => performance.getEntriesByType('resource').some((entry) => entry.name.includes('/remote/websocket-channel-'));
    const jsonOnly = createRemoteBackend({ endpoint, token, encoding: 'json' });
    results.jsonOnly = { doubled: await outcome(jsonOnly.runTask('double', 2)), msgpackFetched: msgpackFetched() };
    await jsonOnly.close();
    for (const transport of ['http', 'websocket']) {
      const remote = createRemoteBackend({ endpoint, transport, token });
      await remote.connect();
      const controller = new AbortController();
      const aborted = outcome(remote.runTask('watch', transport, { signal: controller.signal }));
      // Abort only once the task runs on the server, so the server has a task to stop.
      while (!(await remote.runTask('started', transport))) await new Promise((resolve) => setTimeout(resolve, 10));
      controller.abort();
      results[transport] = {
        canRun: [remote.canRun('double'), remote.canRun('nope')],
        doubled: await outcome(remote.runTask('double', 21)),
        parallel: await Promise.all([1, 2, 3].map((n) => remote.runTask('double', n))),
        failed: await outcome(remote.runTask('double', 'x')),
        missing: await outcome(remote.runTask('nope', 1)),
        aborted: await aborted,
        bytes: await remote.runTask('reverse', new Uint8Array([1, 2, 3])).then(
          (value) => ({ isBytes: value instanceof Uint8Array, values: Array.from(value) }),
          (error) => ({ code: error.code, message: error.message }),
        ),
      };
      await remote.close();
      results[transport + 'SocketChunk'] = socketChunkFetched();
    }
    results.msgpackFetched = msgpackFetched();
    const unauthorized = createRemoteBackend({ endpoint, token: 'wrong' });
    results.unauthorized = await outcome(unauthorized.runTask('double', 1));
    // A browser cannot read the refused upgrade's 401: the client asks GET /tasks why, and says UNAUTHORIZED, not BACKEND_UNAVAILABLE.
    const unauthorizedSocket = createRemoteBackend({ endpoint, token: 'wrong', transport: 'websocket' });
    results.unauthorizedSocket = await outcome(unauthorizedSocket.runTask('double', 1));
    await unauthorizedSocket.close();
    return results;
  };
  window.ready = true;
</script>`;
// The same entry served where its WebSocket chunk cannot be fetched (see the static server).
const pageWithoutSocketChunk = `<!doctype html>
<script type="importmap">{ "imports": { "@hybridcompute/core": "/core/index.js", "@hybridcompute/wire/json": "/wire/json.js", "@hybridcompute/wire/msgpack": "/wire/msgpack.js", "msgpackr": "/msgpackr/index.js" } }</script>
<script type="module">
  import { createRemoteBackend } from '/remote-without-socket/browser.js';
  window.scenario = async (endpoint, token) => {
    const outcome = (promise) => promise.then((value) => ({ value }), (error) => ({ code: error.code, message: error.message }));
    const socket = createRemoteBackend({ endpoint, token, transport: 'websocket' });
    const first = await outcome(socket.runTask('double', 1));
    const again = await outcome(socket.runTask('double', 2));
    // A stream waits for the transport too (connect() first, so the client knows the server streams).
    await socket.connect();
    const streamed = await outcome(socket.streamTask('double', 2).next());
    await socket.close();
    const http = createRemoteBackend({ endpoint, token });
    const overHttp = await outcome(http.runTask('double', 3));
    await http.close();
    return { first, again, streamed, overHttp };
  };
  window.ready = true;
</script>`;

let computeServer: ComputeServer;
let staticServer: Server;
let context: BrowserContext;
let chromium: HeadlessChromium | undefined;
let endpoint: string;
let pageUrl: string;
const abortedOnServer: string[] = [];

beforeAll(async () => {
  staticServer = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (path === '/' || path === '/without-socket') {
      response.writeHead(200, { 'content-type': 'text/html' }).end(path === '/' ? page : pageWithoutSocketChunk);
      return;
    }
    if (path.startsWith('/remote-without-socket/websocket-channel-')) {
      response.writeHead(404).end();
      return;
    }
    const prefix = Object.keys(roots).find((candidate) => path.startsWith(candidate));
    const file = prefix === undefined ? undefined : normalize(join(roots[prefix] as string, path.slice(prefix.length)));
    if (prefix === undefined || file === undefined || !file.startsWith(roots[prefix] as string)) {
      response.writeHead(404).end();
      return;
    }
    try {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(await readFile(file));
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}/`;

  const double = defineTask('double', (n: number) => {
    if (typeof n !== 'number') throw new TypeError('double expects a number');
    return n * 2;
  });
  const startedOnServer = new Set<string>();
  const watch = defineTask('watch', (tag: string, { signal }: TaskContext) => {
    startedOnServer.add(tag);
    return new Promise((_resolve, reject) => signal.addEventListener('abort', () => {
      abortedOnServer.push(tag);
      reject(signal.reason);
    }));
  });
  const started = defineTask('started', (tag: string) => startedOnServer.has(tag));
  const reverse = defineTask('reverse', (bytes: Uint8Array) => bytes.slice().reverse());
  computeServer = createComputeServer({ tasks: [double, watch, started, reverse], token: 'browser-token', corsOrigins: [pageUrl.slice(0, -1)] });
  ({ url: endpoint } = await computeServer.listen());
  context = (chromium = await launchHeadlessChromium('backend-remote')).context;
}, 60_000);

afterAll(async () => {
  await chromium?.close();
  await computeServer?.close();
  await new Promise((resolve) => staticServer?.close(resolve));
});

describe('the browser entry in Chromium', () => {
  it('runs tasks over fetch and the native WebSocket, cross-origin, with the right error codes and cancellation', async () => {
    const tab = await context.newPage();
    await tab.goto(pageUrl);
    // These run in the page, where globalThis is its window.
    await tab.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const results = await tab.evaluate(
      ([url, token]) => (globalThis as unknown as { scenario(url: string, token: string): Promise<unknown> }).scenario(url as string, token as string),
      [endpoint, 'browser-token'],
    );
    for (const transport of ['http', 'websocket']) {
      expect((results as Record<string, unknown>)[transport], transport).toEqual({
        canRun: [true, false],
        doubled: { value: 42 },
        parallel: [2, 4, 6],
        failed: { code: 'TASK_FAILED', message: "Task 'double' failed: double expects a number" },
        missing: { code: 'TASK_NOT_FOUND', message: expect.stringContaining('nope') },
        aborted: { code: 'TASK_ABORTED', message: expect.any(String) },
        bytes: { isBytes: true, values: [3, 2, 1] },
      });
    }
    expect((results as Record<string, unknown>)['jsonOnly']).toEqual({ doubled: { value: 4 }, msgpackFetched: false });
    expect((results as Record<string, unknown>)['msgpackFetched']).toBe(true);
    expect((results as Record<string, unknown>)['httpSocketChunk']).toBe(false);
    expect((results as Record<string, unknown>)['websocketSocketChunk']).toBe(true);
    expect((results as Record<string, unknown>)['unauthorized']).toMatchObject({ code: 'UNAUTHORIZED' });
    expect((results as Record<string, unknown>)['unauthorizedSocket']).toMatchObject({ code: 'UNAUTHORIZED' });
    await expect.poll(() => [...abortedOnServer].sort()).toEqual(['http', 'websocket']);
    await tab.close();
  }, 60_000);

  it('fails WebSocket calls with BACKEND_UNAVAILABLE when the transport chunk cannot be fetched, and HTTP still works', async () => {
    const tab = await context.newPage();
    await tab.goto(`${pageUrl}without-socket`);
    await tab.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true);
    const results = await tab.evaluate(
      ([url, token]) => (globalThis as unknown as { scenario(url: string, token: string): Promise<unknown> }).scenario(url as string, token as string),
      [endpoint, 'browser-token'],
    );
    const unavailable = { code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('Could not load the WebSocket transport') };
    expect(results).toEqual({ first: unavailable, again: unavailable, streamed: unavailable, overHttp: { value: 6 } });
    await tab.close();
  }, 60_000);
});
