import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestCertificates, type TestCertificates } from '@hybridcompute/test-support/certificates';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { failure, fixture, killChildren, serve, signal } from './cli-process.js';
import { closeClient, post, send } from './http-client.js';
import { httpsPost } from './https-client.js';
import { parsePrometheusText } from './prometheus-text.js';

/** A server the fixture's `threadAfterGate` task waits on: the test lets each call finish when it chooses. */
class Gate {
  readonly #server: Server;
  readonly #waiting: ServerResponse[] = [];
  #onArrival: (() => void) | undefined;

  constructor() {
    this.#server = createServer((_request, response) => {
      this.#waiting.push(response);
      this.#onArrival?.();
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/`;
  }

  /** Resolves once `count` calls wait at the gate. */
  arrived(count = 1): Promise<void> {
    if (this.#waiting.length >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onArrival = () => {
        if (this.#waiting.length >= count) resolve();
      };
    });
  }

  open(): void {
    for (const response of this.#waiting.splice(0)) response.end('go');
  }

  close(): void {
    this.#server.closeAllConnections();
    this.#server.close();
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'hybridcompute-cli-ops-'));
let certificates: TestCertificates;
const gates: Gate[] = [];

beforeAll(async () => {
  certificates = await makeTestCertificates();
  for (const [name, pem] of Object.entries({ 'server.key': certificates.server.key, 'server.crt': certificates.server.cert, 'ca.crt': certificates.ca.cert })) {
    writeFileSync(join(scratch, name), pem);
  }
});
afterEach(() => {
  killChildren();
  for (const gate of gates.splice(0)) gate.close();
});
afterAll(async () => {
  await closeClient();
  rmSync(scratch, { recursive: true, force: true });
});

async function gate(): Promise<{ gate: Gate; url: string }> {
  const created = new Gate();
  gates.push(created);
  return { gate: created, url: await created.start() };
}

describe('hybrid-compute-server lifecycle', () => {
  it('drains on SIGTERM: /readyz turns 503, the call in flight finishes, then it exits 0', async () => {
    const { gate: held, url: gateUrl } = await gate();
    const { child, url, printed } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--drain-timeout', '20000']);
    const call = post(url, { task: 'threadAfterGate', input: { gate: gateUrl } });
    await held.arrived();
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    await printed('SIGTERM: draining 1 call(s) in flight');
    expect((await send(url.replace(/compute$/, 'readyz'), { method: 'GET' })).status).toBe(503);
    expect((await post(url, { task: 'double', input: 1 })).json).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    held.open();
    expect(await call).toMatchObject({ status: 200 });
    expect(await exited).toEqual([0, null]);
  });

  it('drains on SIGINT as on SIGTERM', async () => {
    const { child, printed } = await serve([fixture('tasks.mjs'), '--port', '0']);
    const exited = once(child, 'exit');
    signal(child, 'SIGINT');
    await printed('SIGINT: draining 0 call(s) in flight');
    expect(await exited).toEqual([0, null]);
  });

  it('stops a call still running at --drain-timeout with BACKEND_UNAVAILABLE, and exits 0', async () => {
    const { gate: held, url: gateUrl } = await gate();
    const { child, url } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--drain-timeout', '300']);
    const call = post(url, { task: 'threadAfterGate', input: { gate: gateUrl } });
    await held.arrived();
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    expect(await call).toMatchObject({ status: 503, json: { code: 'BACKEND_UNAVAILABLE' } });
    expect(await exited).toEqual([0, null]);
  });

  it('exits at once, non-zero, on a second signal while draining', async () => {
    const { gate: held, url: gateUrl } = await gate();
    const { child, url, printed } = await serve([fixture('worker-tasks.mjs'), '--port', '0', '--drain-timeout', '60000']);
    const call = post(url, { task: 'threadAfterGate', input: { gate: gateUrl } }).then(
      () => 'answered',
      () => 'dropped',
    );
    await held.arrived();
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    await printed('draining 1 call(s)');
    signal(child, 'SIGTERM');
    // 128 + 15, as a shell reports a process SIGTERM killed.
    expect(await exited).toEqual([143, null]);
    expect(await call).toBe('dropped');
  });

  it('rejects a --drain-timeout that is not a number of ms with the usage text', async () => {
    const bad = await failure([fixture('tasks.mjs'), '--drain-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--drain-timeout must be an integer');
  });
});

describe('hybrid-compute-server --log', () => {
  it('writes JSON lines: its own, and one per call without the input or output', async () => {
    const secret = 'SECRET-91bd-never-logged';
    const { child, url, stdout } = await serve([fixture('tasks.mjs'), '--port', '0', '--log']);
    expect(await post(url, { task: 'greet', input: secret })).toMatchObject({ status: 200, json: { result: `hello, ${secret}` } });
    expect(await post(url, { task: 'nope', input: secret })).toMatchObject({ status: 404 });
    const exited = once(child, 'exit');
    signal(child, 'SIGTERM');
    expect(await exited).toEqual([0, null]);
    const lines = stdout().trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 'info', url, msg: expect.stringContaining('serving 2 task(s)') });
    const calls = lines.filter((line) => line['msg'] === 'call');
    expect(calls).toEqual([
      { time: expect.any(String), level: 'info', msg: 'call', task: 'greet', code: 'OK', durationMs: expect.any(Number), address: '127.0.0.1', transport: 'http' },
      { time: expect.any(String), level: 'info', msg: 'call', task: 'nope', code: 'TASK_NOT_FOUND', durationMs: expect.any(Number), address: '127.0.0.1', transport: 'http' },
    ]);
    expect(stdout()).not.toContain(secret);
  });
});

describe('hybrid-compute-server --tls-* and --metrics', () => {
  it('serves https with --tls-key and --tls-cert', async () => {
    const { url } = await serve([fixture('tasks.mjs'), '--port', '0', '--tls-key', join(scratch, 'server.key'), '--tls-cert', join(scratch, 'server.crt')]);
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/compute$/);
    expect(await httpsPost(url, { task: 'double', input: 8 }, { ca: certificates.ca.cert })).toEqual({ status: 200, json: { result: 16 } });
  });

  it('refuses a client without a certificate under --tls-request-cert, and answers one the CA signed', async () => {
    const flags = ['--tls-key', join(scratch, 'server.key'), '--tls-cert', join(scratch, 'server.crt'), '--tls-ca', join(scratch, 'ca.crt'), '--tls-request-cert'];
    const { url } = await serve([fixture('tasks.mjs'), '--port', '0', ...flags]);
    const call = { task: 'double', input: 2 };
    await expect(httpsPost(url, call, { ca: certificates.ca.cert })).rejects.toThrow(/certificate|alert|socket|ECONNRESET|other side closed|hang up/i);
    expect(await httpsPost(url, call, { ca: certificates.ca.cert, cert: certificates.client.cert, key: certificates.client.key })).toEqual({ status: 200, json: { result: 4 } });
  });

  it('exits 1 naming a TLS file that does not exist, and 2 for --tls-key without --tls-cert', async () => {
    const missing = join(scratch, 'no-such.key');
    const unreadable = await failure([fixture('tasks.mjs'), '--port', '0', '--tls-key', missing, '--tls-cert', join(scratch, 'server.crt')]);
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr.trim()).toBe(`hybrid-compute-server: cannot read --tls-key ${missing}: the file does not exist`);
    const half = await failure([fixture('tasks.mjs'), '--tls-key', join(scratch, 'server.key')]);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--tls-key and --tls-cert go together');
  });

  it('serves metrics on a port of its own with --metrics-port', async () => {
    const { url, stdout, printed } = await serve([fixture('tasks.mjs'), '--port', '0', '--metrics-port', '0']);
    await printed('/metrics\n');
    const metricsUrl = /metrics at (http:\/\/\S+)/.exec(stdout())?.[1];
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    await post(url, { task: 'double', input: 1 });
    const scraped = await send(metricsUrl!, { method: 'GET' });
    expect(parsePrometheusText(scraped.text).get('hybridcompute_server_calls_total{code="OK",task="double"}')).toBe(1);
  });
});

describe('hybrid-compute-server rough edges', () => {
  it('says that a mistyped module path does not exist, not that a package is missing', async () => {
    const mistyped = await failure(['dist/no-such-tasks.js', '--port', '0']);
    expect(mistyped.code).toBe(1);
    expect(mistyped.stderr).toContain(`${join(process.cwd(), 'dist', 'no-such-tasks.js')} does not exist`);
    expect(mistyped.stderr).not.toContain("Cannot find package 'dist'");
    const relative = await failure(['./no-such-tasks.js', '--port', '0', '--workers', '1']);
    expect(relative.code).toBe(1);
    expect(relative.stderr).toContain(`${join(process.cwd(), 'no-such-tasks.js')} does not exist`);
  });

  const typescriptModule = fixture('ts-tasks.ts');
  const runtimeLoadsTypeScript = 'Bun' in globalThis || 'Deno' in globalThis || Boolean((process.features as { typescript?: unknown }).typescript);

  it('says how to run a TypeScript module when nothing here can load it (and serves it where the runtime can)', async () => {
    for (const extra of [[], ['--workers', '1']]) {
      if (runtimeLoadsTypeScript) {
        // Bun, Deno, and Node from 22.18 strip types themselves: nothing to explain.
        const { url } = await serve([typescriptModule, '--port', '0', ...extra]);
        expect(await post(url, { task: 'triple', input: 2 })).toMatchObject({ status: 200, json: { result: 6 } });
        continue;
      }
      const bad = await failure([typescriptModule, '--port', '0', ...extra]);
      expect(bad.code, extra.join(' ')).toBe(1);
      expect(bad.stderr).toContain('is TypeScript, which this Node.js does not load by itself: run the server under tsx');
    }
  });

  it('serves a TypeScript module on --workers when the server runs under tsx', async () => {
    const { url, stdout } = await serve([typescriptModule, '--port', '0', '--workers', '2'], { nodeArgs: ['--import', 'tsx'] });
    expect(stdout()).toContain('on 2 worker threads');
    expect(await post(url, { task: 'triple', input: 5 })).toMatchObject({ status: 200, json: { result: 15 } });
  });

  it('shows the scoped package in the README: an unscoped npx name asks the registry for another package', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    expect(readme).toContain('npx @hybridcompute/server ');
    // Said in prose (as a warning), never as a command to run.
    expect(readme).not.toMatch(/^\s*(\$ )?npx hybrid-compute-server/m);
  });
});
