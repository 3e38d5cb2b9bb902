import { conformanceTasks, describeBackendConformance } from '@hybridcompute/backend-conformance';
import { createTemplateBackend } from '../src/index.js';

// The suite a copied package must keep passing. Declare gaps as capabilities, never skip tests.
describeBackendConformance('template backend', {
  createBackend: () => createTemplateBackend({ tasks: conformanceTasks }),
  dispose: (backend) => (backend as ReturnType<typeof createTemplateBackend>).close(),
  capabilities: { abort: true },
});
