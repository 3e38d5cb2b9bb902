// Worker file of placement-adapting.mjs: a task that SIMULATES a fixed service time by waiting it
// out on a timer, so the benchmark's shares do not move with this shared machine's CPU load.
import { setTimeout as sleep } from 'node:timers/promises';
import { defineTask } from '@hybridcompute/core';
import { exposeTasks } from '@hybridcompute/backend-worker/worker';

exposeTasks([
  defineTask('cpu', async (serviceMs) => {
    await sleep(serviceMs);
    return serviceMs;
  }),
]);
