import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../src/list-workspace-packages.js';

// Each package that traces keeps a small trace-context-carrier.ts of its own:
// core's traceContextCarrier does the work, and the package requires the
// optional @opentelemetry/api peer from its own place (see docs/architecture.md,
// "Tracing"). The files must stay the same but for the tracer's name.
const packages = ['backend-worker', 'backend-remote', 'server', 'backend-bullmq'];

it('keeps the copies of trace-context-carrier.ts identical but for the tracer name', () => {
  const copies = packages.map((name) => {
    const text = readFileSync(join(repoRoot, 'packages', name, 'src', 'trace-context-carrier.ts'), 'utf8');
    expect(text).toContain(`traceContextCarrier<OtelApi>('@hybridcompute/${name}',`);
    return text.replace(`'@hybridcompute/${name}'`, "'<package>'");
  });
  for (const copy of copies.slice(1)) expect(copy).toBe(copies[0]);
});
