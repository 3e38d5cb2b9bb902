import { describe, expect, it } from 'vitest';
import { CallQueue } from './call-queue.js';

class Item {
  settled = false;
  constructor(readonly id: number) {}
}

describe('CallQueue', () => {
  it('hands items out first in, first out, and is empty after', () => {
    const queue = new CallQueue<Item>();
    for (const id of [1, 2, 3]) queue.push(new Item(id));
    expect(queue.size).toBe(3);
    expect([queue.shift()?.id, queue.shift()?.id, queue.shift()?.id, queue.shift()]).toEqual([1, 2, 3, undefined]);
    expect(queue.size).toBe(0);
  });

  it('skips an item removed after it settled while waiting, and no longer counts it', () => {
    const queue = new CallQueue<Item>();
    const items = [1, 2, 3].map((id) => new Item(id));
    for (const item of items) queue.push(item);
    items[1]!.settled = true;
    queue.remove();
    expect(queue.size).toBe(2);
    expect([queue.shift()?.id, queue.shift()?.id, queue.shift()]).toEqual([1, 3, undefined]);
  });

  it('empties when the last waiting item is removed, so later pushes start afresh', () => {
    const queue = new CallQueue<Item>();
    const first = new Item(1);
    queue.push(first);
    first.settled = true;
    queue.remove();
    expect(queue.size).toBe(0);
    queue.push(new Item(2));
    expect(queue.shift()?.id).toBe(2);
  });

  it('keeps order and count over many pushes and shifts with a moving head', () => {
    const queue = new CallQueue<Item>();
    let next = 0;
    const seen: number[] = [];
    for (let round = 0; round < 50; round++) {
      for (let index = 0; index < 100; index++) queue.push(new Item(next++));
      for (let index = 0; index < 60; index++) seen.push(queue.shift()!.id);
    }
    expect(queue.size).toBe(50 * 40);
    while (queue.size > 0) seen.push(queue.shift()!.id);
    expect(seen).toEqual(Array.from({ length: next }, (_, index) => index));
  });

  it('clear() drops everything', () => {
    const queue = new CallQueue<Item>();
    queue.push(new Item(1));
    queue.clear();
    expect([queue.size, queue.shift()]).toEqual([0, undefined]);
  });
});
