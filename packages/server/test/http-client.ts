import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** A plain HTTP client for the tests: no backend-remote, so the server is tested on its own. */
export const agent = new Agent({ connections: null, keepAliveTimeout: 1_000 });

// Bun hands out a partial copy of undici for `import 'undici'` (no response body stream,
// no Agent.close): there the tests speak through Bun's own fetch instead.
const undiciIsPartial = typeof process.versions.bun === 'string';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

type Body = string | Buffer | Readable;

/** One request, the body sent as it is: a string goes without a content type unless one is given. */
export async function rawRequest(url: string, options: { method?: 'GET' | 'POST' | 'OPTIONS'; body?: Body; headers?: Record<string, string> } = {}): Promise<Omit<Answer, 'json'>> {
  const method = options.method ?? 'POST';
  if (!undiciIsPartial) {
    const response = await request(url, { method, headers: options.headers ?? {}, body: options.body ?? null, dispatcher: agent });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  }
  const body = options.body;
  // A Uint8Array body, unlike a string, gets no text/plain content type from fetch.
  const init: RequestInit & { duplex?: 'half' } = { method, headers: options.headers ?? {} };
  if (typeof body === 'string' || Buffer.isBuffer(body)) init.body = new Uint8Array(Buffer.from(body));
  else if (body !== undefined) {
    init.body = new ReadableStream<Uint8Array>({
      async start(controller) {
        for await (const chunk of body) controller.enqueue(chunk as Uint8Array);
        controller.close();
      },
    });
    init.duplex = 'half';
  }
  const response = await fetch(url, init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, text: await response.text() };
}

export async function send(url: string, options: { method?: 'GET' | 'POST' | 'OPTIONS'; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  const answer = await rawRequest(url, { ...options, headers: { 'content-type': 'application/json', ...options.headers } });
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  return { ...answer, json };
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, { body: JSON.stringify(body), headers });
}

/** Closes the test client's connections (Bun's fetch needs no closing). */
export async function closeClient(): Promise<void> {
  if (!undiciIsPartial) await agent.close();
}
