import { describe, expect, it } from 'vitest';
import { defaultMaxResponseBytes, readRemoteBackendOptions, type RemoteBackendOptions } from './remote-backend-options.js';

function refusal(options: unknown): Error & { code?: string } {
  try {
    readRemoteBackendOptions(options as RemoteBackendOptions);
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('accepted');
}

describe('readRemoteBackendOptions', () => {
  it('fills in the defaults', () => {
    const options = readRemoteBackendOptions({ endpoint: 'http://127.0.0.1:1/compute' });
    expect(options).toMatchObject({ transport: 'http', name: 'remote', retries: 2, endpointCooldown: 5_000, tasks: undefined, timeout: undefined });
    expect(options.http).toEqual({ connections: 64, keepAliveTimeout: 10_000, maxResponseBytes: defaultMaxResponseBytes });
    expect(options.endpoints.map(String)).toEqual(['http://127.0.0.1:1/compute']);
  });

  it("reads 'fetch' as 'http' and takes several endpoints", () => {
    const options = readRemoteBackendOptions({ endpoint: ['http://a/compute', new URL('ws://b/compute')], transport: 'fetch', maxResponseBytes: 1024 });
    expect(options.transport).toBe('http');
    expect(options.endpoints).toHaveLength(2);
    expect(options.http.maxResponseBytes).toBe(1024);
  });

  it.each([
    ['no options', undefined, 'expected options'],
    ['no endpoint', { endpoint: [] }, 'endpoint'],
    ['a relative endpoint', { endpoint: '/compute' }, 'endpoint'],
    ['a file: endpoint', { endpoint: 'file:///x' }, 'endpoint'],
    ['an unknown transport', { endpoint: 'http://a/', transport: 'smoke' }, 'transport'],
    ['a fractional retries', { endpoint: 'http://a/', retries: 1.5 }, 'retries'],
    ['a timeout past setTimeout', { endpoint: 'http://a/', timeout: 2 ** 40 }, 'timeout'],
    ['a negative maxResponseBytes', { endpoint: 'http://a/', maxResponseBytes: -1 }, 'maxResponseBytes'],
    ['a fractional maxResponseBytes', { endpoint: 'http://a/', maxResponseBytes: 1.5 }, 'maxResponseBytes'],
    ['an empty token', { endpoint: 'http://a/', token: '' }, 'token'],
    ['tasks that are not names', { endpoint: 'http://a/', tasks: [1] }, 'tasks'],
  ])('refuses %s with INVALID_REQUEST', (_label, options, word) => {
    const error = refusal(options);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('INVALID_REQUEST');
    expect(error.message).toContain(word);
  });
});
