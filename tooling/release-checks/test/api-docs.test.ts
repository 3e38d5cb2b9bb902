import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWorkspacePackages, repoRoot } from '../src/list-workspace-packages.js';

const committedDocs = join(repoRoot, 'docs', 'api');
const symbolKinds = ['classes', 'functions', 'interfaces', 'type-aliases', 'variables'];
let freshDocs: string;

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

beforeAll(() => {
  freshDocs = mkdtempSync(join(tmpdir(), 'hybridcompute-api-docs-'));
  // The same command as `pnpm docs`, into a scratch folder, on the Node running the tests.
  execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--out', freshDocs], {
    cwd: repoRoot,
    stdio: 'pipe',
  });
});

afterAll(() => {
  rmSync(freshDocs, { recursive: true, force: true });
});

describe('the API reference in docs/api', () => {
  it('is current: regenerating it from the source changes nothing (run `pnpm run docs` if this fails)', () => {
    const fresh = listFiles(freshDocs);
    expect(listFiles(committedDocs), 'pages added or removed').toEqual(fresh);
    const stale = fresh.filter(
      (file) => readFileSync(join(freshDocs, file), 'utf8') !== readFileSync(join(committedDocs, file), 'utf8'),
    );
    expect(stale, 'pages whose content differs from the source').toEqual([]);
  });

  it('has pages for every public package', () => {
    const publicPackages = listWorkspacePackages().filter((pkg) => !pkg.private);
    expect(publicPackages.length).toBeGreaterThan(0);
    for (const pkg of publicPackages) {
      expect(existsSync(join(freshDocs, pkg.name, 'README.md')), `${pkg.name} has no index page`).toBe(true);
    }
  });

  it('gives every exported symbol a page with an example', () => {
    const symbolPages = listFiles(freshDocs).filter((file) => symbolKinds.some((kind) => file.includes(`/${kind}/`)));
    expect(symbolPages.length).toBeGreaterThan(20);
    const withoutExample = symbolPages.filter((file) => !/^#{2,} Example/m.test(readFileSync(join(freshDocs, file), 'utf8')));
    expect(withoutExample, 'symbols whose JSDoc has no @example').toEqual([]);
  });

  it('says where each symbol is defined, as the reference page of the interface does', () => {
    const page = readFileSync(join(freshDocs, '@hybridcompute/core/interfaces/ComputeBackendInterface.md'), 'utf8');
    expect(page).toMatch(/^# Interface: ComputeBackendInterface$/m);
    expect(page).toMatch(/^Defined in: packages\/core\/src\/types\.ts:\d+$/m);
    expect(page).toMatch(/^### runTask\(\)$/m);
    expect(page).toMatch(/^#### Parameters$/m);
    expect(page).toMatch(/^#### Returns$/m);
  });
});
