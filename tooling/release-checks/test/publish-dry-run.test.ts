import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listWorkspacePackages, repoRoot } from '../src/list-workspace-packages.js';

interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

const publicPackages = listWorkspacePackages().filter((pkg) => !pkg.private);
const packs = new Map<string, PackResult>();
let packDir: string;

beforeAll(() => {
  packDir = mkdtempSync(join(tmpdir(), 'hybridcompute-packs-'));
  for (const pkg of publicPackages) {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', packDir, '--json'], { cwd: pkg.dir, encoding: 'utf8' });
    packs.set(pkg.name, JSON.parse(output) as PackResult);
  }
});

afterAll(() => {
  rmSync(packDir, { recursive: true, force: true });
});

function packedManifest(name: string): Record<string, unknown> {
  const tarball = packs.get(name)!.filename;
  return JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
}

describe('publishing, without publishing', () => {
  it('`pnpm -r publish --dry-run` would publish every public package and no private one', () => {
    const output = execFileSync('pnpm', ['-r', 'publish', '--dry-run', '--no-git-checks'], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const pkg of listWorkspacePackages()) {
      const named = output.includes(`${pkg.name}@${pkg.version}`);
      expect(named, `${pkg.name} ${pkg.private ? 'is private but' : 'is public but not'} in the dry run`).toBe(!pkg.private);
    }
  });

  it.each(publicPackages.map((pkg) => pkg.name))('%s packs its build, types, licence and README, and no tests', (name) => {
    const files = packs.get(name)!.files.map((file) => file.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((file) => /\.test(-d)?\.ts$|(^|\/)test\//.test(file))).toEqual([]);
  });

  it.each(publicPackages.map((pkg) => pkg.name))('%s has no workspace: ranges left in its packed package.json', (name) => {
    const manifest = packedManifest(name);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    const core = listWorkspacePackages().find((pkg) => pkg.name === '@hybridcompute/core')!;
    const peers = (manifest['peerDependencies'] ?? {}) as Record<string, string>;
    if (peers['@hybridcompute/core'] !== undefined) expect(peers['@hybridcompute/core']).toBe(`^${core.version}`);
  });

  // pnpm turns `workspace:*` on a private package into its version, which is never on the registry:
  // the pack looks clean and the install fails for every user.
  it.each(publicPackages.map((pkg) => pkg.name))('%s needs no private workspace package at install time', (name) => {
    const manifest = packedManifest(name);
    const privateNames = new Set(listWorkspacePackages().filter((pkg) => pkg.private).map((pkg) => pkg.name));
    const needed = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) =>
      Object.keys((manifest[field] ?? {}) as Record<string, string>),
    );
    expect(needed.filter((dependency) => privateNames.has(dependency)), 'private packages it depends on').toEqual([]);
  });
});

describe('the release checks themselves', () => {
  it('depend on every public package, so turbo builds them all before these tests run', () => {
    const self = listWorkspacePackages().find((pkg) => pkg.name === '@hybridcompute/release-checks')!;
    const dependencies = Object.keys(self.manifest.devDependencies ?? {});
    expect(dependencies).toEqual(expect.arrayContaining(publicPackages.map((pkg) => pkg.name)));
  });
});
