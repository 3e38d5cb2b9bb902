import { describe, expect, it } from 'vitest';
import { EndpointRotation } from './endpoint-rotation.js';

describe('EndpointRotation', () => {
  it('takes endpoints in turn', () => {
    const rotation = new EndpointRotation(['a', 'b', 'c'], 60_000);
    expect([1, 2, 3, 4].map(() => rotation.pick().endpoint)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('with one endpoint, answers it every time, even marked down, with the same answer and without scoring', () => {
    const rotation = EndpointRotation.byExpectedFinish([{ load: { inFlight: 0, capacity: 8 } }], 60_000);
    const first = rotation.pick(undefined, 'double');
    rotation.markDown(0);
    expect(rotation.pick(new Set([0]), 'double')).toBe(first);
    expect(first).toEqual({ endpoint: { load: { inFlight: 0, capacity: 8 } }, index: 0, sent: undefined });
  });

  it('skips an endpoint marked down until it is marked up again', () => {
    const rotation = new EndpointRotation(['a', 'b'], 60_000);
    rotation.markDown(0);
    expect([1, 2, 3].map(() => rotation.pick().endpoint)).toEqual(['b', 'b', 'b']);
    expect(rotation.hasOtherUp(new Set([1]))).toBe(false);
    rotation.markUp(0);
    expect(new Set([1, 2].map(() => rotation.pick().endpoint))).toEqual(new Set(['a', 'b']));
  });

  it('still answers when every endpoint is down, and skips the ones a call already tried', () => {
    const rotation = new EndpointRotation(['a', 'b'], 60_000);
    rotation.markDown(0);
    rotation.markDown(1);
    expect(['a', 'b']).toContain(rotation.pick().endpoint);
    rotation.markUp(1);
    expect(rotation.pick(new Set([1])).endpoint).toBe('a');
  });
});

describe('EndpointRotation with room to compare', () => {
  it('prefers the endpoint with the most room, and goes round among equals', () => {
    const free = new Map([
      ['a', 1],
      ['b', 10],
      ['c', 10],
    ]);
    const rotation = new EndpointRotation(['a', 'b', 'c'], 60_000, (endpoint) => free.get(endpoint) as number);
    expect([1, 2, 3, 4].map(() => rotation.pick().endpoint)).toEqual(['b', 'c', 'b', 'c']);
    free.set('a', 50);
    expect(rotation.pick().endpoint).toBe('a');
  });

  it('still rests an endpoint that failed, however much room it has', () => {
    const rotation = new EndpointRotation(['a', 'b'], 60_000, (endpoint) => (endpoint === 'a' ? 100 : 1));
    rotation.markDown(0);
    expect([1, 2].map(() => rotation.pick().endpoint)).toEqual(['b', 'b']);
    expect(rotation.pick(new Set([1])).endpoint).toBe('a');
  });
});
