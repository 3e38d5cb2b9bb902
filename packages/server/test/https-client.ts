import { request } from 'node:https';

/** The CA to trust and, for mutual TLS, the client's certificate. */
export interface ClientTls {
  ca?: string;
  cert?: string;
  key?: string;
}

/**
 * One JSON POST over node:https, with no connection kept: node:https rather
 * than undici because Bun's undici is a partial copy, and every runtime the
 * tests run on has node:https. Rejects when the TLS handshake fails.
 */
export function httpsPost(url: string, body: unknown, tls: ClientTls): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, agent: false, ...tls }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        try {
          resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) });
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}
