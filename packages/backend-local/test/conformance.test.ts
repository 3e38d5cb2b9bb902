import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createHybridCompute } from '@hybridcompute/core';
import { createLocalBackend } from '../src/index.js';

describeBackendConformance('backend-local', {
  createBackend: () => createLocalBackend({ tasks: conformanceTasks }),
  dispose: (backend) => backend.close?.() as Promise<void>,
});

describeBackendConformance('a router over backend-local', {
  createBackend: () => createHybridCompute({ local: createLocalBackend({ tasks: conformanceTasks }) }),
  unknownTaskCode: 'NO_BACKEND',
  dispose: (backend) => backend.close?.() as Promise<void>,
});

describeBackendConformance('a router nested in a router over backend-local', {
  createBackend: () =>
    createHybridCompute({ inner: createHybridCompute({ local: createLocalBackend({ tasks: conformanceTasks }) }) }),
  unknownTaskCode: 'NO_BACKEND',
  dispose: (backend) => backend.close?.() as Promise<void>,
});
