import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The type tests (*.test-d.ts) prove that mistakes fail to compile; these read
// what the compiler then says, since an error is only useful if it names the fix.
type TypeScript = typeof import('typescript');
const ts = createRequire(import.meta.url)('typescript') as TypeScript;
const core = fileURLToPath(new URL('./index.js', import.meta.url));

const snippets = {
  wrongTask: "void compute.runTask('tripple', 21);",
  wrongStrategy: "void compute.runTask('double', 21, 'lcoal');",
  wrongStrategyOption: "void compute.runTask('double', 21, { strategy: 'remoet' });",
  wrongOrder: "createHybridCompute({ local, worker }, { order: ['remote'] });",
  conflict: 'createHybridCompute({ local, worker: conflicting });',
  missingInput: "void compute.runTask('double');",
} as const;

let workDir: string;
let errors: Record<keyof typeof snippets, string>;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'hybridcompute-type-errors-'));
  const prelude = [
    `import { createHybridCompute, defineTask, type ComputeBackendLike, type TypedBackend } from ${JSON.stringify(core)};`,
    'declare function typed<const Tasks>(tasks: Tasks): TypedBackend<ComputeBackendLike, Tasks>;',
    "const double = defineTask('double', (n: number) => n * 2);",
    "const greet = defineTask('greet', (name: string) => `hello, ${name}`);",
    "const now = defineTask('now', () => Date.now());",
    'const local = typed({ double, greet });',
    'const worker = typed({ now });',
    "const conflicting = typed({ double: defineTask('double', (text: string) => text) });",
    'const compute = createHybridCompute({ local, worker });',
  ];
  // One line per snippet, so that each diagnostic maps back to the snippet on its line.
  const file = join(workDir, 'snippets.ts');
  writeFileSync(file, [...prelude, ...Object.values(snippets), 'export {};', ''].join('\n'));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
    types: [],
  });
  const byLine = new Map<number, string>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    if (diagnostic.file === undefined || diagnostic.start === undefined) continue;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    byLine.set(line, `${byLine.get(line) ?? ''}${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}\n`);
  }
  errors = Object.fromEntries(Object.keys(snippets).map((name, index) => [name, byLine.get(prelude.length + index) ?? ''])) as typeof errors;
  // Nothing else in the file may fail: the prelude itself must compile.
  expect([...byLine.keys()].filter((line) => line < prelude.length)).toEqual([]);
}, 60_000);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('compile errors from an inferred router', () => {
  it('list the task names for a wrong task', () => {
    expect(errors.wrongTask).toContain(`'"tripple"' is not assignable`);
    for (const name of ['"double"', '"greet"', '"now"']) expect(errors.wrongTask).toContain(name);
  });

  it('list the backend names for a wrong strategy, in both forms', () => {
    expect(errors.wrongStrategy).toContain(`'"lcoal"' is not assignable`);
    expect(errors.wrongStrategy).toMatch(/"local" \| "worker"|"worker" \| "local"/);
    expect(errors.wrongStrategyOption).toContain(`'"remoet"' is not assignable`);
    expect(errors.wrongStrategyOption).toContain('"auto"');
    expect(errors.wrongStrategyOption).toMatch(/"local" \| "worker"|"worker" \| "local"/);
  });

  it('list the backend names for a wrong order', () => {
    expect(errors.wrongOrder).toContain(`'"remote"' is not assignable`);
    expect(errors.wrongOrder).toMatch(/"local" \| "worker"|"worker" \| "local"/);
  });

  it('name the task whose types disagree across backends, and the way out', () => {
    expect(errors.conflict).toContain("task 'double' has different input or output types on different backends");
    expect(errors.conflict).not.toContain("task 'greet'");
  });

  it('for a missing input, list the tasks that may go without one', () => {
    expect(errors.missingInput).toContain(`'"double"' is not assignable to parameter of type '"now"'`);
  });
});
