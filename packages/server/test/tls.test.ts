import { once } from 'node:events';
import { defineTask } from '@hybridcompute/core';
import { makeTestCertificates, type TestCertificates } from '@hybridcompute/test-support/certificates';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createComputeServer, type ComputeServer } from '../src/index.js';
import { closeClient, post } from './http-client.js';
import { httpsPost, type ClientTls } from './https-client.js';

let ran = 0;
const double = defineTask('double', (n: number) => {
  ran++;
  return n * 2;
});
// Under TLS 1.3 the client may finish its side of the handshake before the server's alert arrives: then the connection just closes.
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

async function start(tls: Parameters<typeof createComputeServer>[0]['tls']): Promise<string> {
  const server = createComputeServer({ tasks: [double], tls });
  servers.push(server);
  return (await server.listen(0)).url;
}

function call(url: string, tls: ClientTls): Promise<{ status: number; json: unknown }> {
  return httpsPost(url, { task: 'double', input: 21 }, tls);
}

/** Opens a wss socket and sends one call; resolves with its answer, or rejects with the socket's error. */
async function callOverWss(url: string, tls: { ca: string; cert?: string; key?: string }): Promise<unknown> {
  const socket = new WebSocket(url.replace(/^https/, 'wss'), tls);
  try {
    await once(socket, 'open');
    socket.send(JSON.stringify({ id: 1, task: 'double', input: 4 }));
    const [data] = (await once(socket, 'message')) as [Buffer];
    return JSON.parse(data.toString());
  } finally {
    socket.terminate();
  }
}

describe('TLS', () => {
  it('serves https and wss on one port, to a client that trusts the CA', async () => {
    const url = await start({ key: certificates.server.key, cert: certificates.server.cert });
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/compute$/);
    expect(await call(url, { ca: certificates.ca.cert })).toEqual({ status: 200, json: { result: 42 } });
    expect(await callOverWss(url, { ca: certificates.ca.cert })).toEqual({ id: 1, result: 8 });
  });

  it('is refused by a client that does not trust the CA, and answers nothing over plain http', async () => {
    const url = await start({ key: certificates.server.key, cert: certificates.server.cert });
    await expect(call(url, {})).rejects.toThrow(/self[- ]signed|unable to (get|verify)|certificate/i);
    // Plain HTTP to the TLS port gets no answer: the handshake it does not start fails.
    await expect(post(url.replace(/^https/, 'http'), { task: 'double', input: 1 })).rejects.toThrow();
  });

  describe('with requestCert (mutual TLS)', () => {
    const mutual = (): Parameters<typeof start>[0] => ({ key: certificates.server.key, cert: certificates.server.cert, ca: certificates.ca.cert, requestCert: true });

    it('answers a client whose certificate the CA signed, over https and wss', async () => {
      const url = await start(mutual());
      const trusted = { ca: certificates.ca.cert, cert: certificates.client.cert, key: certificates.client.key };
      expect(await call(url, trusted)).toEqual({ status: 200, json: { result: 42 } });
      expect(await callOverWss(url, trusted)).toEqual({ id: 1, result: 8 });
    });

    it('refuses a client certificate another CA signed, over https and wss', async () => {
      const url = await start(mutual());
      const stranger = { ca: certificates.ca.cert, cert: certificates.strangerClient.cert, key: certificates.strangerClient.key };
      const before = ran;
      await expect(call(url, stranger)).rejects.toThrow(refusedConnection);
      await expect(callOverWss(url, stranger)).rejects.toThrow(refusedConnection);
      expect(ran).toBe(before);
    });

    it('refuses a client with no certificate at all', async () => {
      const url = await start(mutual());
      const before = ran;
      await expect(call(url, { ca: certificates.ca.cert })).rejects.toThrow(refusedConnection);
      await expect(callOverWss(url, { ca: certificates.ca.cert })).rejects.toThrow(refusedConnection);
      expect(ran).toBe(before);
    });
  });

  it('refuses bad tls options with INVALID_REQUEST, naming the option', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['server.pem', /tls must be an object/],
      [{ cert: 'x' }, /tls\.key is required/],
      [{ key: 'x' }, /tls\.cert is required/],
      [{ key: '', cert: 'x' }, /tls\.key must be PEM/],
      [{ key: 'x', cert: 42 }, /tls\.cert must be PEM/],
      [{ key: 'x', cert: 'y', requestCert: 'yes' }, /tls\.requestCert must be a boolean/],
      [{ key: 'x', cert: 'y', requestCert: true }, /tls\.requestCert needs tls\.ca/],
      [{ key: 'x', cert: 'y', ca: [] }, /tls\.ca must not be an empty array/],
    ];
    for (const [tls, message] of cases) {
      let thrown: unknown;
      try {
        createComputeServer({ tasks: [double], tls: tls as never });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(tls)).toBeInstanceOf(TypeError);
      expect(thrown).toMatchObject({ code: 'INVALID_REQUEST', message: expect.stringMatching(message) });
    }
  });
});
