import { defineTask } from '@hybridcompute/core';
import { exposeTasks } from '@hybridcompute/backend-worker/worker';
import { cpuWork } from './cpu-work.mjs';

exposeTasks([defineTask('noop', (value) => value), defineTask('double', async (n) => n * 2), defineTask('cpu', (iterations) => cpuWork(iterations))]);
