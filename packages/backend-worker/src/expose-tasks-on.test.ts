import { ComputeError, defineTask } from '@hybridcompute/core';
import { describe, expect, it } from 'vitest';
import { comlinkApply, comlinkRun, replyValue, type ComlinkReply } from './comlink-wire.js';
import { deserializeThrown } from './error-transfer-handler.js';
import { exposeTasksOn } from './expose-tasks-on.js';
import { batchMarker, outcomeFulfilled, outcomePending, outcomeRejected } from './worker-protocol.js';

// The worker side, served on a MessagePort in this thread and spoken to in comlink's wire format, as the pool does.
function served(): { request: (message: object) => Promise<ComlinkReply>; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  exposeTasksOn(port1, [defineTask('double', (n: number) => n * 2), defineTask('echo', (value: unknown) => value)]);
  const waiting = new Map<unknown, (reply: ComlinkReply) => void>();
  port2.addEventListener('message', (event) => {
    const reply = event.data as ComlinkReply;
    waiting.get(reply.id)?.(reply);
  });
  port2.start();
  return {
    request: (message) =>
      new Promise((resolve) => {
        waiting.set((message as { id: unknown }).id, resolve);
        port2.postMessage(message);
      }),
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

describe('exposeTasksOn', () => {
  it("answers an unknown task with core's TASK_NOT_FOUND, listing the tasks it has", async () => {
    const worker = served();
    const { ok, value } = replyValue(await worker.request(comlinkRun(1, 'dubble', 2)));
    expect(ok).toBe(false);
    expect(ComputeError.isInstance(value)).toBe(true);
    const error = value as ComputeError;
    expect([error.code, error.taskName, error.backend]).toEqual(['TASK_NOT_FOUND', 'dubble', undefined]);
    // The same words as taskNotFoundError; the pool adds its backend's name.
    expect(error.message).toBe("Task 'dubble' is not available (tasks: double, echo)");
    worker.close();
  });

  it('answers an unknown task in a batch the same way, and runs the rest of the batch', async () => {
    const worker = served();
    // The unknown task first: the first call of a batch always runs at once, while a later one is deferred to
    // its own turn once the batch has run past its time slice (a cold or busy thread can take that long).
    const reply = await worker.request(comlinkApply(-1, 'runBatch', [[2, 'nope', null, 1, 'double', 4]]));
    const outcomes = replyValue(reply).value as unknown[];
    expect(outcomes[0]).toBe(batchMarker);
    expect(outcomes[1]).toBe(outcomeRejected);
    const error = deserializeThrown(outcomes[2]) as ComputeError;
    expect([error.code, error.message]).toEqual(['TASK_NOT_FOUND', "Task 'nope' is not available (tasks: double, echo)"]);
    if (outcomes[3] === outcomeFulfilled) expect(outcomes[4]).toBe(8);
    else {
      expect(outcomes[3]).toBe(outcomePending);
      const later = replyValue(await worker.request(comlinkApply(-2, 'takeResults', []))).value as unknown[];
      expect(later.slice(1)).toEqual([1, outcomeFulfilled, 8]);
    }
    worker.close();
  });
});
