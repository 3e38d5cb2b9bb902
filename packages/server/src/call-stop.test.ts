import { ComputeError } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { CallStop } from './call-stop.js';

const gone = (): ComputeError => new ComputeError({ code: 'TASK_ABORTED', message: 'gone', backend: 'server' });

describe('CallStop', () => {
  it('settles with the work when nothing stops it, and makes no signal unless asked', async () => {
    const stop = new CallStop();
    expect(await stop.settle(Promise.resolve(7))).toBe(7);
    expect(stop.reason).toBeUndefined();
  });

  it('rejects at once when stopped, even if the work never settles, and aborts a signal made before or after', async () => {
    const stop = new CallStop();
    const before = stop.signal;
    const settled = stop.settle(new Promise(() => {}));
    const reason = gone();
    stop.stop(reason);
    await expect(settled).rejects.toBe(reason);
    expect(before.aborted).toBe(true);
    expect(before.reason).toBe(reason);
    // The first reason wins; a signal made later is already aborted with it.
    stop.stop(gone());
    expect(stop.reason).toBe(reason);
    const late = new CallStop();
    late.stop(reason);
    expect(late.signal.aborted).toBe(true);
    await expect(late.settle(Promise.resolve(1))).rejects.toBe(reason);
  });
});
