import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../src/list-workspace-packages.js';

// Each package that traces keeps its own copy of trace-context-carrier.ts (it
// resolves the optional @opentelemetry/api peer from its own place; see
// docs/architecture.md, "Tracing"). The copies must stay the same but for the
// tracer's name.
const packages = ['backend-worker', 'backend-remote', 'server', 'backend-bullmq'];

it('keeps the copies of trace-context-carrier.ts identical but for the tracer name', () => {
  const copies = packages.map((name) => {
    const text = readFileSync(join(repoRoot, 'packages', name, 'src', 'trace-context-carrier.ts'), 'utf8');
    expect(text).toContain(`const tracerName = '@hybridcompute/${name}';`);
    return text.replace(`'@hybridcompute/${name}'`, "'<package>'");
  });
  for (const copy of copies.slice(1)) expect(copy).toBe(copies[0]);
});
