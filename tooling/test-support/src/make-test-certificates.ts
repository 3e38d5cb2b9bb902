import { generate } from 'selfsigned';

/** PEM key and certificate. */
export interface KeyPair {
  key: string;
  cert: string;
}

/** A CA, a server certificate it signed for 127.0.0.1 and localhost, a client certificate it signed, and a client certificate from another CA. */
export interface TestCertificates {
  ca: KeyPair;
  server: KeyPair;
  client: KeyPair;
  /** Signed by a CA the server does not trust. */
  strangerClient: KeyPair;
}

const ec = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

async function authority(name: string): Promise<KeyPair> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    ...ec,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

async function signed(ca: KeyPair, name: string, use: 'server' | 'client'): Promise<KeyPair> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    ...ec,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: use === 'server', clientAuth: use === 'client' },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/**
 * Makes fresh certificates: nothing is checked in.
 *
 * @example
 * const certificates = await makeTestCertificates();
 * createServer({ key: certificates.server.key, cert: certificates.server.cert, ca: certificates.ca.cert });
 */
export async function makeTestCertificates(): Promise<TestCertificates> {
  const ca = await authority('hybrid-compute test CA');
  const stranger = await authority('some other CA');
  return {
    ca,
    server: await signed(ca, 'localhost', 'server'),
    client: await signed(ca, 'trusted client', 'client'),
    strangerClient: await signed(stranger, 'stranger', 'client'),
  };
}
