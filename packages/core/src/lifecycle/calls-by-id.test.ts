import { describe, expect, it } from 'vitest';
import { CallsById } from './calls-by-id.js';

const call = (id: number) => ({ id });

describe('CallsById', () => {
  it('finds, removes and lists calls by id, in the order they were added', () => {
    const calls = new CallsById<{ id: number }>();
    const added = [1, 2, 3, 4].map(call);
    for (const each of added) calls.add(each);
    expect(calls.size).toBe(4);
    expect(calls.get(3)).toBe(added[2]);
    calls.delete(added[1]!);
    expect(calls.get(2)).toBeUndefined();
    expect(calls.size).toBe(3);
    expect(calls.inOrder().map((each) => each.id)).toEqual([1, 3, 4]);
    // Removing a call twice, or one never added, changes nothing.
    calls.delete(added[1]!);
    calls.delete(call(99));
    expect(calls.size).toBe(3);
  });

  it('keeps a long call while thousands of short ones come and go past its slot', () => {
    const calls = new CallsById<{ id: number }>();
    const long = call(1);
    calls.add(long);
    let next = 2;
    for (let round = 0; round < 5_000; round++) {
      const short = call(next++);
      calls.add(short);
      expect(calls.get(short.id)).toBe(short);
      calls.delete(short);
    }
    expect(calls.get(1)).toBe(long);
    expect(calls.size).toBe(1);
    calls.delete(long);
    expect(calls.get(1)).toBeUndefined();
    expect(calls.size).toBe(0);
  });

  it('grows with many calls open at once, and loses none', () => {
    const calls = new CallsById<{ id: number }>();
    const open = Array.from({ length: 1_000 }, (_, index) => call(index + 1));
    for (const each of open) calls.add(each);
    expect(calls.size).toBe(1_000);
    for (const each of open) expect(calls.get(each.id)).toBe(each);
    // Every other one settles; the rest keep their order.
    for (const each of open.filter((each) => each.id % 2 === 0)) calls.delete(each);
    expect(calls.inOrder().map((each) => each.id)).toEqual(open.filter((each) => each.id % 2 === 1).map((each) => each.id));
    expect(calls.get(2)).toBeUndefined();
    expect(calls.get(1.5)).toBeUndefined();
  });

  it('mixes calls moved aside with calls in the ring, in id order', () => {
    const calls = new CallsById<{ id: number }>();
    // 1 and 2 stay open while 14 more come and go: both are moved aside when their slots come round.
    calls.add(call(1));
    calls.add(call(2));
    for (let id = 3; id <= 40; id++) {
      const short = call(id);
      calls.add(short);
      if (id !== 20) calls.delete(short);
    }
    expect(calls.inOrder().map((each) => each.id)).toEqual([1, 2, 20]);
    expect([calls.get(1)?.id, calls.get(2)?.id, calls.get(20)?.id]).toEqual([1, 2, 20]);
  });
});
