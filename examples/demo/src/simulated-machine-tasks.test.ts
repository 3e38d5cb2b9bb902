import { defineTask } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import * as real from './demo-tasks.js';
import { measuredRuns, simulateOnTimer } from './simulated-machine-tasks.js';
import * as simulated from './simulated-machine-tasks.js';

const context = () => ({ signal: new AbortController().signal, progress: async () => undefined });

describe('the simulated machine', () => {
  it('computes an input for real the first few times it sees it, then answers it on a timer, per input', async () => {
    const computed: number[] = [];
    const square = simulateOnTimer(
      defineTask('square', (n: number) => {
        computed.push(n);
        return n * n;
      }),
      (n) => String(n),
    );
    const answers = [];
    for (let call = 0; call < measuredRuns + 3; call++) answers.push(await square.run(4, context()));
    answers.push(await square.run(5, context()));
    expect(answers).toEqual([...Array.from({ length: measuredRuns + 3 }, () => 16), 25]);
    expect(computed).toEqual([...Array.from({ length: measuredRuns }, () => 4), 5]);
  });

  it('runs an input without a key for real every time', async () => {
    let computed = 0;
    const echo = simulateOnTimer(
      defineTask('echo', (value: unknown) => (computed++, value)),
      () => undefined,
    );
    for (let call = 0; call < measuredRuns + 2; call++) await echo.run(call, context());
    expect(computed).toBe(measuredRuns + 2);
  });

  it("stops waiting when the call's signal aborts", async () => {
    const slow = simulateOnTimer(
      defineTask('slow', async () => {
        // Long enough for the timer to be the thing the abort interrupts.
        await new Promise((resolve) => setTimeout(resolve, 50));
        return 'done';
      }),
      () => 'one',
    );
    for (let call = 0; call < measuredRuns; call++) await slow.run(undefined, context());
    const controller = new AbortController();
    const answer = slow.run(undefined, { signal: controller.signal, progress: async () => undefined });
    controller.abort(new Error('stop'));
    await expect(answer).rejects.toThrow('stop');
  });

  it("gives the demo tasks' real answers", async () => {
    const input = { bytes: 4_096, seed: 3 };
    for (let call = 0; call < measuredRuns + 1; call++) expect(await simulated.sha256.run(input, context())).toBe(await real.sha256.run(input, context()));
    for (let call = 0; call < measuredRuns + 1; call++) expect(await simulated.countPrimes.run(1_000, context())).toBe(168);
    expect(simulated.divide).toBe(real.divide);
  });
});
