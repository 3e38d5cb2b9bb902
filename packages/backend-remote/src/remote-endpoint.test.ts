import { describe, expect, it } from 'vitest';
import { endpointUrls, RemoteEndpoint } from './remote-endpoint.js';

describe('endpointUrls', () => {
  it('puts /tasks beside the compute path and the WebSocket on the same path', () => {
    const urls = endpointUrls(new URL('https://host:8080/api/compute?x=1'));
    expect(urls.url.href).toBe('https://host:8080/api/compute?x=1');
    expect(urls.tasksUrl.href).toBe('https://host:8080/api/tasks');
    expect(urls.wsUrl.href).toBe('wss://host:8080/api/compute?x=1');
  });

  it('takes a ws: endpoint and posts over http:', () => {
    const urls = endpointUrls(new URL('ws://host/compute'));
    expect(urls.url.href).toBe('http://host/compute');
    expect(urls.tasksUrl.href).toBe('http://host/tasks');
  });
});

describe('RemoteEndpoint', () => {
  it('reports its load and the room left', () => {
    const endpoint = new RemoteEndpoint(new URL('http://host/compute'), 256);
    expect(endpoint.load).toEqual({ inFlight: 0, capacity: 256, queued: 0 });
    endpoint.admission.learn(2);
    endpoint.admission.tryAdmit();
    expect(endpoint.free).toBe(1);
    endpoint.admission.tryAdmit();
    endpoint.admission.enqueue('waiting');
    expect(endpoint.load).toEqual({ inFlight: 2, capacity: 2, queued: 1 });
    expect(endpoint.free).toBe(-1);
  });
});
