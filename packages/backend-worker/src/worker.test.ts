import { describe, expect, it } from 'vitest';
import { exposeTasks as exposeInNode } from './node/worker.js';
import { exposeTasks as exposeInBrowser } from './worker.js';

describe('exposeTasks outside a worker', () => {
  it('throws a TypeError with code INVALID_REQUEST on the main thread', () => {
    expect(() => exposeInNode({})).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
    expect(() => exposeInBrowser({})).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
  });

  it('serves tasks on a MessagePort passed as the endpoint and says hello first', async () => {
    const { port1, port2 } = new MessageChannel();
    const first = new Promise<unknown>((resolve) => port2.addEventListener('message', (event) => resolve(event.data), { once: true }));
    port2.start();
    exposeInBrowser([{ name: 'noop', run: () => undefined }], port1);
    await expect(first).resolves.toEqual({ '@hybridcompute/backend-worker.ready': ['noop'] });
    port1.close();
    port2.close();
  });

  it('refuses to expose tasks twice on one endpoint, which would run every call twice', () => {
    const { port1, port2 } = new MessageChannel();
    exposeInBrowser([{ name: 'noop', run: () => undefined }], port1);
    expect(() => exposeInBrowser([{ name: 'other', run: () => undefined }], port1)).toThrow(expect.objectContaining({ name: 'TypeError', code: 'INVALID_REQUEST' }));
    port1.close();
    port2.close();
  });
});
