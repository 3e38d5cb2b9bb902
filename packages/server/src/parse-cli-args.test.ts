import { maxTimerDelay } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './parse-cli-args.js';

describe('parseCliArgs --task-timeout', () => {
  it("takes a whole number of ms up to setTimeout's limit", () => {
    expect(parseCliArgs(['./tasks.js', '--task-timeout', String(maxTimerDelay)]).taskTimeout).toBe(maxTimerDelay);
  });

  it('refuses one past it with INVALID_REQUEST, before any server or worker starts', () => {
    expect(() => parseCliArgs(['./tasks.js', '--task-timeout', String(2 ** 40)])).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST', message: expect.stringContaining('--task-timeout') }));
  });
});
