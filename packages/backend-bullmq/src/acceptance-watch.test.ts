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
    const { watch, late, next } = lateCalls(30);
    watch.add('first');
    const first = next();
    await new Promise((resolve) => setTimeout(resolve, 15));
    watch.add('second');
    await expect(first).resolves.toBe('first');
    expect(late).toEqual(['first']);
    await expect(next()).resolves.toBe('second');
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
