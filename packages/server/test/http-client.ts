import { Agent, request } from 'undici';

/** A plain HTTP client for the tests: no backend-remote, so the server is tested on its own. */
export const agent = new Agent({ connections: null, keepAliveTimeout: 1_000 });

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

export async function send(url: string, options: { method?: 'GET' | 'POST' | 'OPTIONS'; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
  const response = await request(url, {
    method: options.method ?? 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body ?? null,
    dispatcher: agent,
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, json, text };
}

export function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return send(url, { body: JSON.stringify(body), headers });
}
