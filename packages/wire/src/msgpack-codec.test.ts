import { largeSamples, structuredCloneSamples } from '@hybridcompute/backend-conformance/values';
import { ComputeError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { msgpackCodec } from './msgpack-codec.js';

const text = (value: string): number[] => [0xa0 + value.length, ...Buffer.from(value)];
const roundTrip = (value: unknown): unknown => (msgpackCodec.decode(msgpackCodec.encode({ result: value }) as Uint8Array) as { result: unknown }).result;

describe('msgpackCodec', () => {
  it.each(structuredCloneSamples())('carries %s as structuredClone does', (_label, value) => {
    expect(msgpackCodec.mismatchOf(value, 'input')).toBeUndefined();
    expect(roundTrip(value)).toEqual(structuredClone(value));
  });

  it('keeps -0 apart from 0 at the top level, in arrays, objects, Maps and Sets', () => {
    const back = roundTrip({ top: -0, list: [0, -0], map: new Map([['z', -0]]), set: new Set([-0]) }) as Record<string, unknown>;
    expect(Object.is(back['top'], -0)).toBe(true);
    expect(Object.is((back['list'] as number[])[0], 0)).toBe(true);
    expect(Object.is((back['list'] as number[])[1], -0)).toBe(true);
    expect(Object.is((back['map'] as Map<string, number>).get('z'), -0)).toBe(true);
    expect(back['set']).toEqual(new Set([-0]));
  });

  it('keeps an error’s name, message and cause', () => {
    const back = roundTrip(new TypeError('bad', { cause: new RangeError('worse') })) as Error;
    expect(back).toBeInstanceOf(TypeError);
    expect(back.message).toBe('bad');
    expect((back.cause as Error).name).toBe('RangeError');
  });

  it.each(largeSamples())('carries %s', (_label, value) => {
    const back = roundTrip(value);
    if (ArrayBuffer.isView(value)) {
      // Compared as bytes: a deep comparison of 2 million elements would take the test's whole time.
      expect(back).toBeInstanceOf(value.constructor);
      expect(Buffer.from((back as Float64Array).buffer).equals(Buffer.from(value.buffer))).toBe(true);
    } else {
      expect(back).toEqual(value);
    }
  });

  it('sends a typed array as its bytes, not as digits', () => {
    const bytes = new Float64Array(128 * 1024);
    expect((msgpackCodec.encode(bytes) as Uint8Array).byteLength).toBeLessThan(bytes.byteLength + 64);
  });

  it('refuses what structured clone refuses, naming the path', () => {
    expect(msgpackCodec.mismatchOf({ callbacks: { onDone: () => 1 } }, 'input')).toBe('input.callbacks.onDone: a function cannot be sent');
    expect(msgpackCodec.mismatchOf([Symbol('s')], 'result')).toBe('result[0]: a symbol cannot be sent');
  });

  it.each([
    ['an empty body', new Uint8Array()],
    ['a truncated map', new Uint8Array([0x82, 0xa1, 0x61])],
    ['an unknown extension', new Uint8Array([0xd4, 0x7f, 0x00])],
    ['a truncated string', new Uint8Array([0xa5, 0x61])],
    ['trailing bytes after the message', new Uint8Array([0x01, 0x02])],
    ['text', 'not bytes'],
  ])('decodes %s into PROTOCOL_ERROR, never another error', (_label, data) => {
    let thrown: unknown;
    try {
      msgpackCodec.decode(data as Uint8Array);
    } catch (error) {
      thrown = error;
    }
    expect(ComputeError.isInstance(thrown)).toBe(true);
    expect((thrown as ComputeError).code).toBe('PROTOCOL_ERROR');
  });

  it('decodes nesting deep enough to exhaust the stack into PROTOCOL_ERROR', () => {
    const deep = new Uint8Array(500_000).fill(0x91); // [[[[...
    expect(() => msgpackCodec.decode(deep)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });

  it('reads a __proto__ key as data, never as the prototype', () => {
    // { "__proto__": { "polluted": true }, "task": "t" } as a plain MessagePack map, written by hand as a peer would.
    const hostile = new Uint8Array([0x82, ...text('__proto__'), 0x81, ...text('polluted'), 0xc3, ...text('task'), ...text('t')]);
    const decoded = msgpackCodec.decode(hostile) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto_', 'task']);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    // The same through our object extension (used when a message holds a Map, a -0 or a cycle).
    const own = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    for (const message of [own, { own, map: new Map() }]) {
      const back = msgpackCodec.decode(msgpackCodec.encode(message) as Uint8Array) as Record<string, unknown>;
      const object = (message === own ? back : back['own']) as Record<string, unknown>;
      expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
      expect(Object.keys(object)).toEqual(['__proto_']);
    }
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it.each([
    ['a map keyed by a map', new Uint8Array([0x81, 0x80, 0x01])],
    ['a Map extension carrying no array', new Uint8Array([0xd4, 0x31, 0x00, 0x01])],
    ['a Map extension carrying an odd entry list', new Uint8Array([0xd4, 0x31, 0x00, 0x91, 0x01])],
    ['an object extension keyed by a number', new Uint8Array([0xd4, 0x32, 0x00, 0x92, 0x01, 0x02])],
    ['an error extension without a message', new Uint8Array([0xd4, 0x33, 0x00, 0x93, ...text('Error'), 0x01, 0xc0])],
  ])('decodes %s from a peer into PROTOCOL_ERROR', (_label, data) => {
    expect(() => msgpackCodec.decode(data)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
  });

  it('reads a number key of a plain map as its string, as an object would hold it', () => {
    expect(msgpackCodec.decode(new Uint8Array([0x81, 0x01, ...text('a')]))).toEqual({ 1: 'a' });
  });

  it('keeps a Map that contains itself, as key and as value', () => {
    const map = new Map<unknown, unknown>();
    map.set('self', map).set(map, 1);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect(back.get('self')).toBe(back);
    expect(back.get(back)).toBe(1);
  });

  it('keeps one Map reached twice as one Map', () => {
    const shared = new Map([[1, 'one']]);
    const back = roundTrip({ first: shared, again: [shared] }) as { first: Map<number, string>; again: Map<number, string>[] };
    expect(back.first).toEqual(new Map([[1, 'one']]));
    expect(back.again[0]).toBe(back.first);
  });

  it('keeps cycles through plain objects, arrays, Sets and Maps', () => {
    const node: Record<string, unknown> = { name: 'node' };
    const set = new Set<unknown>([node]);
    node['self'] = node;
    node['list'] = [node, new Map([['back', node]]), set];
    const back = roundTrip(node) as typeof node;
    const list = back['list'] as [unknown, Map<string, unknown>, Set<unknown>];
    expect(back['self']).toBe(back);
    expect(list[0]).toBe(back);
    expect(list[1].get('back')).toBe(back);
    expect([...list[2]][0]).toBe(back);
    expect(back).toEqual(structuredClone(node));
  });

  it('keeps one typed array, date or object reached twice as one', () => {
    const bytes = new Uint8Array([1, 2]);
    const date = new Date(0);
    const point = { x: 1 };
    const back = roundTrip({ bytes, date, point, again: [bytes, date, point] }) as { bytes: Uint8Array; date: Date; point: object; again: unknown[] };
    expect(back.again[0]).toBe(back.bytes);
    expect(back.again[1]).toBe(back.date);
    expect(back.again[2]).toBe(back.point);
    expect(back.bytes).toEqual(new Uint8Array([1, 2]));
  });

  it('writes a message of plain values as plain MessagePack: no records, no extensions', () => {
    // { id: 1, task: "t" }: a fixmap of two entries, keys and values as they are.
    expect([...(msgpackCodec.encode({ id: 1, task: 't' }) as Uint8Array)]).toEqual([0x82, ...text('id'), 0x01, ...text('task'), ...text('t')]);
  });

  it('keeps an error whose cause leads back to it, with its class and message', () => {
    const error = new TypeError('loop');
    const wrapper = new RangeError('outer', { cause: error });
    error.cause = { wrapper };
    const back = roundTrip([wrapper, new Map()]) as [RangeError, Map<never, never>];
    const inner = back[0].cause as TypeError;
    expect(back[0]).toBeInstanceOf(RangeError);
    expect(back[0].message).toBe('outer');
    expect(inner).toBeInstanceOf(TypeError);
    expect(inner.message).toBe('loop');
    expect((inner.cause as { wrapper: unknown }).wrapper).toBe(back[0]);
  });

  it('keeps a Map inside an error’s cause and inside a class instance', () => {
    class Point {
      constructor(readonly tags: Map<string, number>) {}
    }
    const back = roundTrip({ error: new Error('bad', { cause: new Map([['k', 1]]) }), point: new Point(new Map([['x', 1]])) }) as { error: Error; point: { tags: unknown } };
    expect(back.error.cause).toEqual(new Map([['k', 1]]));
    expect(back.point.tags).toEqual(new Map([['x', 1]]));
  });

  it('builds only the error classes it knows: a peer cannot name another global', () => {
    const forged = msgpackCodec.encode(Object.assign(new Error('x'), { name: 'Function' })) as Uint8Array;
    const decoded = msgpackCodec.decode(forged);
    expect(decoded).toBeInstanceOf(Error);
    expect(typeof decoded).toBe('object');
  });
});
