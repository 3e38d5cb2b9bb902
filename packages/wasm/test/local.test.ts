import { createLocalBackend } from '@hybridcompute/backend-local';
import { createHybridCompute } from '@hybridcompute/core';
import { describeWasmTasksOn } from './describe-wasm-tasks-on.js';
import * as tasks from './fixtures/wasm-tasks.mjs';

describeWasmTasksOn('backend-local', {
  createBackend: async () => createLocalBackend({ tasks }),
  dispose: async () => {},
  structuredValues: true,
});

describeWasmTasksOn('a router over backend-local', {
  createBackend: async () => createHybridCompute({ local: createLocalBackend({ tasks }) }),
  dispose: async (backend) => {
    await backend.close?.();
  },
  structuredValues: true,
});
