import { request } from 'node:https';
import { defineTask } from '@hybridcompute/core';
import { makeTestCertificates, type TestCertificates } from '@hybridcompute/test-support/certificates';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createComputeServer, type ComputeServer, type ComputeServerOptions } from '../src/index.js';
import { closeClient, post, send } from './http-client.js';
import { httpsPost, type ClientTls } from './https-client.js';
import { parsePrometheusText } from './prometheus-text.js';

// What the README and docs/deployment.md promise of metrics on a port of their own:
// still behind the token, and over TLS (mutual TLS included) when the server speaks it.

const double = defineTask('double', (n: number) => n * 2);
const refusedConnection = /certificate|alert|socket|ECONNRESET|other side closed/i;
let certificates: TestCertificates;
const servers: ComputeServer[] = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
});
afterAll(closeClient);
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function start(options: Partial<ComputeServerOptions>): Promise<{ url: string; metricsUrl: string }> {
  const server = createComputeServer({ tasks: [double], metrics: { port: 0 }, ...options } as ComputeServerOptions);
  servers.push(server);
  const { url, metricsUrl } = await server.listen(0, '127.0.0.1');
  return { url, metricsUrl: metricsUrl! };
}

/** One GET over node:https; rejects when the TLS handshake fails. */
function httpsGet(url: string, tls: ClientTls, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'GET', headers, agent: false, ...tls }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('metrics on a port of their own', () => {
  it('still ask for the token when one is set', async () => {
    const { url, metricsUrl } = await start({ token: 'sesame' });
    expect(await post(url, { task: 'double', input: 1 }, { authorization: 'Bearer sesame' })).toMatchObject({ status: 200 });
    expect((await send(metricsUrl, { method: 'GET' })).status).toBe(401);
    expect((await send(metricsUrl, { method: 'GET', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const scraped = await send(metricsUrl, { method: 'GET', headers: { authorization: 'Bearer sesame' } });
    expect(scraped.status).toBe(200);
    expect(parsePrometheusText(scraped.text).get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(1);
  });

  it('speak TLS when the server does, and answer nothing over plain http', async () => {
    const { url, metricsUrl } = await start({ tls: { key: certificates.server.key, cert: certificates.server.cert } });
    expect(metricsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(await httpsPost(url, { task: 'double', input: 2 }, { ca: certificates.ca.cert })).toEqual({ status: 200, json: { result: 4 } });
    const scraped = await httpsGet(metricsUrl, { ca: certificates.ca.cert });
    expect(scraped.status).toBe(200);
    expect(parsePrometheusText(scraped.text).get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(1);
    await expect(send(metricsUrl.replace(/^https/, 'http'), { method: 'GET' })).rejects.toThrow();
  });

  it('refuse a scraper without a client certificate the CA signed under mutual TLS', async () => {
    const { ca, server, client } = certificates;
    const { metricsUrl } = await start({ tls: { key: server.key, cert: server.cert, ca: ca.cert, requestCert: true } });
    await expect(httpsGet(metricsUrl, { ca: ca.cert })).rejects.toThrow(refusedConnection);
    expect((await httpsGet(metricsUrl, { ca: ca.cert, cert: client.cert, key: client.key })).status).toBe(200);
  });
});
