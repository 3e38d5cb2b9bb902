import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// The README promises its usage example runs as written: this test takes the
// blocks out of README.md itself, so the two cannot drift apart.
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');
const codeBlocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const tasksModule = codeBlocks.find((block) => block.startsWith('// tasks.ts'));
const exampleStart = readme.indexOf('<!-- readme-example');
const example = [...readme.slice(exampleStart).matchAll(/```ts\n([\s\S]*?)```/g)][0]?.[1];
// Outside src/, so the package's own typecheck never sees files that come and go.
const workDir = fileURLToPath(new URL('../readme-example.generated/', import.meta.url));

describe('the README usage example', () => {
  beforeAll(() => {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(`${workDir}tasks.ts`, tasksModule ?? '');
    writeFileSync(`${workDir}example.ts`, `${example ?? ''}\nexport {};\n`);
    writeFileSync(`${workDir}tsconfig.json`, JSON.stringify({ extends: '../../../tsconfig.base.json', include: ['*.ts'] }));
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('is found in README.md', () => {
    expect(tasksModule).toContain("defineTask('double'");
    // The router infers its types from the backends: the example needs no type argument.
    expect(example).toContain('createHybridCompute(');
    expect(example).not.toContain('createHybridCompute<');
  });

  it('typechecks, including its @ts-expect-error line', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', `${workDir}tsconfig.json`]).then(
      () => 'no errors',
      (error: { stdout: string }) => error.stdout,
    );
    expect(result).toBe('no errors');
    // tsc alone takes seconds; beside the other packages' tests on two cores, many more.
  }, 60_000);

  it('runs and prints what its comments say', async () => {
    const printed: unknown[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...values: unknown[]) => {
      printed.push(values.join(' '));
    });
    try {
      await import(`${workDir}example.ts`);
    } finally {
      log.mockRestore();
    }
    expect(printed.filter((line) => !String(line).includes(' ran on '))).toEqual(['42', 'hello, Ada', 'NO_BACKEND', 'width']);
    expect(printed.some((line) => /^double ran on local in \d+\.\d\d ms$/.test(String(line)))).toBe(true);
  });
});
