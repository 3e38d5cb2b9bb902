import { describe, expect, it } from 'vitest';
import { CloseOnce } from './close-once.js';

describe('CloseOnce', () => {
  it('runs the shutdown once, is closed at once, and returns the same promise every time', async () => {
    let runs = 0;
    let finish!: () => void;
    const closer = new CloseOnce(() => {
      runs++;
      return new Promise<void>((resolve) => (finish = resolve));
    });
    expect(closer.closed).toBe(false);
    const first = closer.close();
    expect(closer.closed).toBe(true);
    expect(closer.close()).toBe(first);
    finish();
    await expect(first).resolves.toBeUndefined();
    expect(runs).toBe(1);
  });

  it('turns a shutdown that throws synchronously into a rejection for every caller', async () => {
    const closer = new CloseOnce(() => {
      throw new Error('stuck');
    });
    await expect(closer.close()).rejects.toThrow('stuck');
    await expect(closer.close()).rejects.toThrow('stuck');
  });
});
