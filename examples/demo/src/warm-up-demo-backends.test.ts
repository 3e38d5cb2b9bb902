import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { createAnswerChecker, makeDemoBatch } from './demo-batch.js';
import * as tasks from './demo-tasks.js';
import { createSettledRecorder } from './run-demo-phase.js';
import { warmUpDemoBackends } from './warm-up-demo-backends.js';

describe('warmUpDemoBackends', () => {
  it('runs 24 calls through each strategy, checks each answer, and keeps to the concurrency', async () => {
    const recorder = createSettledRecorder();
    // Typed explicitly, so that its strategy takes any string, as DemoPhaseRouter's does.
    const router = createHybridCompute<typeof tasks>(
      { first: createLocalBackend({ tasks }), second: createLocalBackend({ tasks }) },
      { onTaskSettled: recorder.onTaskSettled },
    );
    let inFlight = 0;
    let mostInFlight = 0;
    const compute = {
      async runTask(taskName: string, input: unknown, options: { strategy: string; signal?: AbortSignal | undefined }) {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await router.runTask(taskName as 'sha256', input as tasks.Sha256Input, options);
        } finally {
          inFlight--;
        }
      },
    };
    const check = createAnswerChecker();
    let right = 0;
    await warmUpDemoBackends({
      compute,
      batch: makeDemoBatch(100),
      strategies: [
        { strategy: 'first', pixelsAs: 'transfer' },
        { strategy: 'second', pixelsAs: 'base64' },
      ],
      concurrency: 5,
      isRight: async (call, answer) => {
        const isRight = await check(call, answer);
        if (isRight) right++;
        return isRight;
      },
    });
    const { events } = recorder.take();
    expect(events.filter((event) => event.outcome === 'fulfilled').map((event) => event.backend)).toEqual([
      ...Array<string>(24).fill('first'),
      ...Array<string>(24).fill('second'),
    ]);
    expect(right).toBe(48);
    expect(mostInFlight).toBe(5);
  });

  it('rejects with the reason once the signal aborts', async () => {
    const compute = createHybridCompute<typeof tasks>({ local: createLocalBackend({ tasks }) });
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const warming = warmUpDemoBackends({
      compute,
      batch: makeDemoBatch(10),
      strategies: [{ strategy: 'local', pixelsAs: 'transfer' }],
      concurrency: 4,
      isRight: createAnswerChecker(),
      signal: controller.signal,
    });
    await expect(warming).rejects.toThrow('stop');
  });
});
