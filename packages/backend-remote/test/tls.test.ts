import { defineTask } from '@hybridcompute/core';
import { createComputeServer, type ComputeServer } from '@hybridcompute/server';
import { makeTestCertificates, type TestCertificates } from '@hybridcompute/test-support/certificates';
import { Agent } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteBackend, type RemoteBackendOptions } from '../src/index.js';

const double = defineTask('double', (n: number) => n * 2);
// Told by the runtime, as the package tells it (bun-remote-platform.ts), not by probing undici's API.
const undiciIsPartial = typeof process.versions.bun === 'string';

let certificates: TestCertificates;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startServer(requestCert: boolean): Promise<string> {
  const { server, ca } = certificates;
  const computeServer: ComputeServer = createComputeServer({ tasks: [double], tls: { key: server.key, cert: server.cert, ...(requestCert ? { ca: ca.cert, requestCert } : {}) } });
  closers.push(() => computeServer.close());
  return (await computeServer.listen(0)).url;
}

function remote(options: RemoteBackendOptions): ReturnType<typeof createRemoteBackend> {
  const backend = createRemoteBackend({ retries: 0, ...options });
  closers.push(() => backend.close());
  return backend;
}

describe('createRemoteBackend over TLS', () => {
  for (const transport of ['http', 'websocket'] as const) {
    describe(transport, () => {
      it('calls an https server whose CA it is given', async () => {
        const endpoint = await startServer(false);
        expect(await remote({ endpoint, transport, tls: { ca: certificates.ca.cert } }).runTask('double', 21)).toBe(42);
      });

      it('fails the call with BACKEND_UNAVAILABLE when it does not trust the server', async () => {
        const endpoint = await startServer(false);
        await expect(remote({ endpoint, transport }).runTask('double', 1)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      });

      it('presents its certificate to a mutual-TLS server', async () => {
        const endpoint = await startServer(true);
        const { ca, client } = certificates;
        expect(await remote({ endpoint, transport, tls: { ca: ca.cert, cert: client.cert, key: client.key } }).runTask('double', 4)).toBe(8);
      });

      it('is refused by a mutual-TLS server with a certificate another CA signed, or none', async () => {
        const endpoint = await startServer(true);
        const { ca, strangerClient } = certificates;
        await expect(remote({ endpoint, transport, tls: { ca: ca.cert, cert: strangerClient.cert, key: strangerClient.key } }).runTask('double', 1)).rejects.toMatchObject({
          code: 'BACKEND_UNAVAILABLE',
        });
        await expect(remote({ endpoint, transport, tls: { ca: ca.cert } }).runTask('double', 1)).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
      });
    });
  }

  it('sends HTTP through a dispatcher of the caller, and leaves it open on close() (on Bun: refuses it, naming tls)', async () => {
    const endpoint = await startServer(true);
    const { ca, client } = certificates;
    if (undiciIsPartial) {
      // Bun hands out a partial undici and its HTTP goes through Bun's fetch: a dispatcher cannot apply.
      expect(() => createRemoteBackend({ endpoint, dispatcher: new Agent() as never })).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('give tls') }));
      return;
    }
    const dispatcher = new Agent({ connect: { ca: ca.cert, cert: client.cert, key: client.key } });
    closers.push(() => dispatcher.close());
    const backend = createRemoteBackend({ endpoint, dispatcher });
    await backend.connect();
    expect(backend.taskNames).toEqual(['double']);
    expect(await backend.runTask('double', 5)).toBe(10);
    await backend.close();
    expect(dispatcher.closed).toBe(false);
    expect(dispatcher.destroyed).toBe(false);
  });

  it('refuses bad tls and dispatcher options with INVALID_REQUEST, naming the field', () => {
    const endpoint = 'https://127.0.0.1:1/compute';
    const cases: Array<[Partial<RemoteBackendOptions>, RegExp]> = [
      [{ tls: 'ca.pem' as never }, /tls must be an object/],
      [{ tls: {} }, /tls needs ca, or cert and key/],
      [{ tls: { cert: 'x' } }, /tls\.cert and tls\.key go together/],
      [{ tls: { ca: 7 as never } }, /tls\.ca must be PEM/],
      [{ tls: { ca: [] } }, /tls\.ca must not be an empty array/],
      [{ dispatcher: {} as never }, undiciIsPartial ? /dispatcher is for Node's undici/ : /dispatcher must be a Dispatcher/],
    ];
    for (const [options, message] of cases) {
      expect(() => createRemoteBackend({ endpoint, ...options }), JSON.stringify(options)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringMatching(message) }));
    }
  });
});
