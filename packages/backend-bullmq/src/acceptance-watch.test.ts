import { describe, expect, it } from 'vitest';
import { AcceptanceWatch } from './acceptance-watch.js';

function lateCalls(bound: number): { watch: AcceptanceWatch<string>; late: string[]; next: () => Promise<string> } {
  const late: string[] = [];
  const waiting: ((call: string) => void)[] = [];
  const watch = new AcceptanceWatch<string>(bound, (call) => {
    late.push(call);
    waiting.shift()?.(call);
  });
  return { watch, late, next: () => new Promise((resolve) => waiting.push(resolve)) };
}

describe('AcceptanceWatch', () => {
  it('hands over a call not accepted within the bound, and not before', async () => {
    const { watch, late, next } = lateCalls(40);
    const startedAt = Date.now();
    watch.add('slow');
    await expect(next()).resolves.toBe('slow');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(39);
    expect(late).toEqual(['slow']);
    expect(watch.size).toBe(0);
  });

  it('leaves alone the calls deleted in time, and serves later calls with the same timer', async () => {
    const { watch, late, next } = lateCalls(30);
    watch.add('accepted');
    watch.add('late');
    watch.delete('accepted');
    await expect(next()).resolves.toBe('late');
    watch.add('again');
    await expect(next()).resolves.toBe('again');
    expect(late).toEqual(['late', 'again']);
  });

  it('hands over calls in the order they joined, each at its own time', async () => {
    // Times, not a snapshot after the first: on a loaded machine both may come due in one timer run.
    const bound = 30;
    const joinedAt = new Map<string, number>();
    const handed: { call: string; after: number }[] = [];
    let bothHanded!: () => void;
    const both = new Promise<void>((resolve) => (bothHanded = resolve));
    const watch = new AcceptanceWatch<string>(bound, (call) => {
      handed.push({ call, after: Date.now() - (joinedAt.get(call) as number) });
      if (handed.length === 2) bothHanded();
    });
    joinedAt.set('first', Date.now());
    watch.add('first');
    // Spaced apart, so that the second's time is not the first's.
    await new Promise((resolve) => setTimeout(resolve, 15));
    joinedAt.set('second', Date.now());
    watch.add('second');
    await both;
    expect(handed.map(({ call }) => call)).toEqual(['first', 'second']);
    for (const { call, after } of handed) expect(after, call).toBeGreaterThanOrEqual(bound - 1);
  });

  it('hands over nothing after clear', async () => {
    const { watch, late } = lateCalls(10);
    watch.add('gone');
    watch.clear();
    expect(watch.size).toBe(0);
    // A watch with a longer bound firing proves the cleared call's time came and went.
    await new Promise<void>((resolve) => new AcceptanceWatch<string>(40, () => resolve()).add('probe'));
    expect(late).toEqual([]);
  });
});
