import { computeRejectionOf } from '@hybridcompute/backend-conformance';
import { describe, expect, it, vi } from 'vitest';
import type { RemoteBackend } from '../src/index.js';
import { closedAfterEach } from './fixtures/misbehaving-servers.js';
import { streamingPeer } from './fixtures/streaming-peer.js';

// Streams and progress against real peers on 127.0.0.1 that misbehave: every loop settles.

const { remote, serve } = closedAfterEach();

/** Reads a stream to its end: the chunks it delivered. */
async function drain(stream: AsyncIterable<unknown>): Promise<{ chunks: unknown[] }> {
  const chunks: unknown[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks };
}

async function failureOf(stream: AsyncIterable<unknown>): Promise<{ chunks: unknown[]; error: { code: string; message: string; taskName?: string | undefined } }> {
  const chunks: unknown[] = [];
  const error = await computeRejectionOf(async () => {
    for await (const chunk of stream) chunks.push(chunk);
  });
  return { chunks, error };
}

describe('a misbehaving streaming peer over WebSocket', () => {
  const overWs = (url: string): RemoteBackend => remote({ endpoint: url, transport: 'websocket', encoding: 'json' });

  it('vanishes mid-stream: the chunks before, then BACKEND_UNAVAILABLE', async () => {
    const peer = await serve(
      streamingPeer({
        onFrame: (socket, frame) => {
          if (frame.stream === undefined) return;
          socket.send(JSON.stringify({ id: frame.id, chunk: 1 }));
          socket.send(JSON.stringify({ id: frame.id, chunk: 2 }), () => socket.terminate());
        },
      }),
    );
    const { chunks, error } = await failureOf(overWs(peer.url).streamTask('tiles', null));
    expect(chunks).toEqual([1, 2]);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'tiles' });
  });

  it('answers garbage mid-stream: the chunks before, then the socket fails (BACKEND_UNAVAILABLE)', async () => {
    const peer = await serve(
      streamingPeer({
        onFrame: (socket, frame) => {
          if (frame.stream === undefined) return;
          socket.send(JSON.stringify({ id: frame.id, chunk: 'a' }));
          socket.send('not JSON');
        },
      }),
    );
    const { chunks, error } = await failureOf(overWs(peer.url).streamTask('tiles', null));
    expect(chunks).toEqual(['a']);
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
  });

  it('sends more chunks than it was granted: PROTOCOL_ERROR, and it is told to stop', async () => {
    const peer = await serve(
      streamingPeer({
        onFrame: (socket, frame) => {
          if (frame.stream === undefined) return;
          for (let chunk = 1; chunk <= (frame.stream as number) + 3; chunk++) socket.send(JSON.stringify({ id: frame.id, chunk }));
        },
      }),
    );
    const backend = overWs(peer.url);
    const iterator = backend.streamTask('tiles', null, { highWaterMark: 2 })[Symbol.asyncIterator]();
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 1 });
    // Reading the first granted one more: 1, 2 and 3 were within the credits, 4 was not.
    await vi.waitFor(() => expect(peer.frames.some((frame) => frame.cancel === true)).toBe(true));
    const results: unknown[] = [];
    const error = await computeRejectionOf(async () => {
      for (;;) {
        const step = await iterator.next();
        if (step.done === true) return;
        results.push(step.value);
      }
    });
    expect(results).toEqual([2, 3]);
    expect(error.code).toBe('PROTOCOL_ERROR');
  });

  it('answers a stream with a plain result (an older server): PROTOCOL_ERROR', async () => {
    const peer = await serve(streamingPeer({ onFrame: (socket, frame) => frame.task !== undefined && socket.send(JSON.stringify({ id: frame.id, result: 'all at once' })) }));
    expect((await failureOf(overWs(peer.url).streamTask('tiles', null))).error.code).toBe('PROTOCOL_ERROR');
  });

  it('stalls after one chunk: the stream times out with TASK_TIMEOUT and the peer is sent a cancel', async () => {
    const peer = await serve(streamingPeer({ onFrame: (socket, frame) => frame.stream !== undefined && socket.send(JSON.stringify({ id: frame.id, chunk: 1 })) }));
    const { chunks, error } = await failureOf(overWs(peer.url).streamTask('tiles', null, { timeout: 150 }));
    expect(chunks).toEqual([1]);
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'tiles' });
    await vi.waitFor(() => expect(peer.frames.at(-1)).toMatchObject({ cancel: true }));
  });

  it('grants credit as the reader takes chunks: half the highWaterMark at a time', async () => {
    const peer = await serve(
      streamingPeer({
        onFrame: (socket, frame) => {
          if (frame.stream !== undefined) for (let chunk = 1; chunk <= 4; chunk++) socket.send(JSON.stringify({ id: frame.id, chunk }));
          if (frame.credit !== undefined) socket.send(JSON.stringify({ id: frame.id, end: true }));
        },
      }),
    );
    const { chunks } = await drain(overWs(peer.url).streamTask('tiles', null, { highWaterMark: 4 }));
    expect(chunks).toEqual([1, 2, 3, 4]);
    expect(peer.frames[0]).toMatchObject({ task: 'tiles', stream: 4 });
    expect(peer.frames.filter((frame) => frame.credit !== undefined).map((frame) => frame.credit)).toEqual([2, 2]);
  });

  it('vanishes after some progress: the progress, then BACKEND_UNAVAILABLE', async () => {
    const peer = await serve(
      streamingPeer({
        onFrame: (socket, frame) => {
          if (frame.progress === true) socket.send(JSON.stringify({ id: frame.id, progress: 'half' }), () => socket.terminate());
        },
      }),
    );
    const seen: unknown[] = [];
    const error = await computeRejectionOf(overWs(peer.url).runTask('slow', null, { onProgress: (value: unknown) => seen.push(value) }));
    expect(seen).toEqual(['half']);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'slow' });
  });

  it('sends { id, cancel: true } when the loop breaks', async () => {
    const peer = await serve(streamingPeer({ onFrame: (socket, frame) => frame.stream !== undefined && socket.send(JSON.stringify({ id: frame.id, chunk: 1 })) }));
    for await (const _chunk of overWs(peer.url).streamTask('tiles', null)) break;
    await vi.waitFor(() => expect(peer.frames.at(-1)).toEqual({ id: peer.frames[0]?.id, cancel: true }));
  });
});

// Bun's fetch drops bytes that arrived in the same turn as a connection reset (it reports the reset
// first): there, a peer that vanishes right after writing has delivered a prefix of what it wrote.
const onBun = typeof process.versions.bun === 'string';
const deliveredOf = (written: unknown[]): unknown[][] => (onBun ? written.map((_, end) => written.slice(0, end)).concat([written]) : [written]);

describe('a misbehaving streaming peer over HTTP', () => {
  const overHttp = (url: string): RemoteBackend => remote({ endpoint: url, transport: 'http', encoding: 'json' });
  const ndjson = { 'content-type': 'application/x-ndjson' };

  it('vanishes mid-stream: the chunks before, then BACKEND_UNAVAILABLE', async () => {
    const peer = await serve(
      streamingPeer({
        onPost: (_body, request, response) => {
          response.writeHead(200, ndjson);
          response.write('{"chunk":1}\n{"chunk":2}\n', () => request.socket.destroy());
        },
      }),
    );
    const { chunks, error } = await failureOf(overHttp(peer.url).streamTask('tiles', null));
    expect(deliveredOf([1, 2])).toContainEqual(chunks);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'tiles' });
  });

  it('ends the body without an end record: PROTOCOL_ERROR after the chunks', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).end('{"chunk":1}\n') }));
    const { chunks, error } = await failureOf(overHttp(peer.url).streamTask('tiles', null));
    expect(chunks).toEqual([1]);
    expect(error.code).toBe('PROTOCOL_ERROR');
  });

  it('answers a line that is not JSON: PROTOCOL_ERROR after the chunks before it', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).end('{"chunk":1}\nnot json\n{"end":true}\n') }));
    const { chunks, error } = await failureOf(overHttp(peer.url).streamTask('tiles', null));
    expect(chunks).toEqual([1]);
    expect(error.code).toBe('PROTOCOL_ERROR');
  });

  it('fails midway with an error record: TASK_FAILED keeping the code, after the chunks', async () => {
    const failure = { error: 'broke', code: 'TASK_FAILED', cause: { name: 'RangeError', message: 'broke', code: 'E_MID' } };
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).end(`{"chunk":1}\n${JSON.stringify(failure)}\n`) }));
    const { chunks, error } = await failureOf(overHttp(peer.url).streamTask('tiles', null));
    expect(chunks).toEqual([1]);
    expect(error).toMatchObject({ code: 'TASK_FAILED', taskName: 'tiles' });
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('E_MID');
  });

  it('stalls after one chunk: TASK_TIMEOUT, and the request is dropped', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).write('{"chunk":1}\n') }));
    const { chunks, error } = await failureOf(overHttp(peer.url).streamTask('tiles', null, { timeout: 150 }));
    expect(chunks).toEqual([1]);
    expect(error).toMatchObject({ code: 'TASK_TIMEOUT', taskName: 'tiles' });
    await vi.waitFor(() => expect(peer.closedRequests).toBe(1));
  });

  it('stalls before answering a call with progress: TASK_TIMEOUT', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).write('{"progress":1}\n') }));
    const seen: unknown[] = [];
    const error = await computeRejectionOf(overHttp(peer.url).runTask('slow', null, { timeout: 150, onProgress: (value: unknown) => seen.push(value) }));
    expect(seen).toEqual([1]);
    expect(error.code).toBe('TASK_TIMEOUT');
  });

  it('vanishes after some progress: the progress, then BACKEND_UNAVAILABLE', async () => {
    const peer = await serve(
      streamingPeer({
        onPost: (_body, request, response) => {
          response.writeHead(200, ndjson);
          response.write('{"progress":1}\n', () => request.socket.destroy());
        },
      }),
    );
    const seen: unknown[] = [];
    const error = await computeRejectionOf(overHttp(peer.url).runTask('slow', null, { onProgress: (value: unknown) => seen.push(value) }));
    expect(deliveredOf([1])).toContainEqual(seen);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE', taskName: 'slow' });
  });

  it('drops the request when the loop breaks', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.writeHead(200, ndjson).write('{"chunk":1}\n') }));
    for await (const _chunk of overHttp(peer.url).streamTask('tiles', null)) break;
    await vi.waitFor(() => expect(peer.closedRequests).toBe(1));
  });
});

describe('a server that does not stream (an older one)', () => {
  for (const transport of ['http', 'websocket'] as const) {
    it(`refuses streamTask over ${transport} with INVALID_REQUEST before sending anything`, async () => {
      const peer = await serve(streamingPeer({ streaming: false, onPost: (_body, _request, response) => response.end('{"result":1}') }));
      const { error } = await failureOf(remote({ endpoint: peer.url, transport }).streamTask('tiles', null));
      expect(error.code).toBe('INVALID_REQUEST');
      expect(error.message).toContain('does not stream');
      expect(peer.posts + peer.frames.length).toBe(0);
    });
  }

  it('still answers runTask with onProgress: the plain answer, no progress', async () => {
    const peer = await serve(streamingPeer({ streaming: false, onPost: (_body, _request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{"result":42}') }));
    const seen: unknown[] = [];
    await expect(remote({ endpoint: peer.url }).runTask('double', 21, { onProgress: (value: unknown) => seen.push(value) })).resolves.toBe(42);
    expect(seen).toEqual([]);
  });
});

describe('a stream whose first ask (GET /tasks) fails', () => {
  it('rejects with BACKEND_UNAVAILABLE naming the task when no server listens', async () => {
    const { createServer } = await import('node:net');
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as { port: number };
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    const { error } = await failureOf(remote({ endpoint: `http://127.0.0.1:${port}/compute` }).streamTask('tiles', null));
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.taskName).toBe('tiles');
    expect(error.message).toContain('whether it streams');
  });

  it('rejects with a coded error, not a bare transport failure, when the backend closes before the ask', async () => {
    const peer = await serve(streamingPeer({ onPost: (_body, _request, response) => response.end('{"result":1}') }));
    const backend = remote({ endpoint: peer.url });
    const stream = backend.streamTask('tiles', null);
    await backend.close();
    const { error } = await failureOf(stream);
    expect(error.code).toBe('BACKEND_UNAVAILABLE');
    expect(error.taskName).toBe('tiles');
  });
});
