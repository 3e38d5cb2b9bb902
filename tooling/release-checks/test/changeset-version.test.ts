import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listWorkspacePackages, repoRoot, type WorkspacePackage } from '../src/list-workspace-packages.js';

const changesetCli = join(repoRoot, 'node_modules', '@changesets', 'cli', 'bin.js');
let scratch: string;

/** Copies what `changeset version` reads (manifests, changesets, changelogs) into a scratch repo. */
function copyReleaseState(into: string): void {
  for (const file of ['package.json', 'pnpm-workspace.yaml']) copyFileSync(join(repoRoot, file), join(into, file));
  mkdirSync(join(into, '.changeset'));
  for (const file of readdirSync(join(repoRoot, '.changeset'))) {
    copyFileSync(join(repoRoot, '.changeset', file), join(into, '.changeset', file));
  }
  for (const pkg of listWorkspacePackages()) {
    const dir = join(into, relative(repoRoot, pkg.dir));
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'CHANGELOG.md']) {
      if (existsSync(join(pkg.dir, file))) copyFileSync(join(pkg.dir, file), join(dir, file));
    }
  }
  // The changelog generator named in .changeset/config.json resolves from here.
  symlinkSync(join(repoRoot, 'node_modules'), join(into, 'node_modules'), 'dir');
}

function changesetVersion(): void {
  execFileSync(process.execPath, [changesetCli, 'version'], { cwd: scratch, stdio: 'pipe' });
}

function versions(): Map<string, string> {
  return new Map(listWorkspacePackages(scratch).map((pkg) => [pkg.name, pkg.version]));
}

function addChangeset(id: string, bumps: Record<string, 'patch' | 'minor' | 'major'>, summary: string): void {
  const frontMatter = Object.entries(bumps).map(([name, bump]) => `"${name}": ${bump}`);
  writeFileSync(join(scratch, '.changeset', `${id}.md`), `---\n${frontMatter.join('\n')}\n---\n\n${summary}\n`);
}

/** Package names each pending changeset in the real repo bumps. */
function pendingBumps(): Map<string, string[]> {
  const bumps = new Map<string, string[]>();
  for (const file of readdirSync(join(repoRoot, '.changeset')).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const frontMatter = /^---\n([\s\S]*?)\n---/.exec(readFileSync(join(repoRoot, '.changeset', file), 'utf8'))?.[1] ?? '';
    for (const match of frontMatter.matchAll(/^["']?([^"'\s:]+)["']?\s*:\s*(patch|minor|major)\s*$/gm)) {
      bumps.set(match[1]!, [...(bumps.get(match[1]!) ?? []), match[2]!]);
    }
  }
  return bumps;
}

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'hybridcompute-changesets-'));
  copyReleaseState(scratch);
});

afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('changesets', () => {
  it('gives every unreleased public package a major first-release changeset, so it starts at 1.0.0', () => {
    const unreleased = listWorkspacePackages().filter((pkg) => !pkg.private && pkg.version === '0.0.0');
    const bumps = pendingBumps();
    for (const pkg of unreleased) {
      expect(bumps.get(pkg.name) ?? [], `${pkg.name} has no major changeset`).toContain('major');
    }
  });

  it('versions the packages the pending changesets name, with a CHANGELOG each, and leaves private packages alone', () => {
    const before = versions();
    const bumps = pendingBumps();
    changesetVersion();
    const after = versions();
    const byName = new Map<string, WorkspacePackage>(listWorkspacePackages(scratch).map((pkg) => [pkg.name, pkg]));
    for (const [name, version] of before) {
      const pkg = byName.get(name)!;
      if (pkg.private) {
        expect(after.get(name), `private ${name} was versioned`).toBe(version);
      } else if (bumps.has(name)) {
        expect(after.get(name), `${name} was not bumped`).not.toBe(version);
        const changelog = readFileSync(join(pkg.dir, 'CHANGELOG.md'), 'utf8');
        expect(changelog).toContain(`## ${after.get(name)}`);
      }
    }
    expect(readdirSync(join(scratch, '.changeset')).filter((name) => name.endsWith('.md') && name !== 'README.md')).toEqual([]);
  });

  it('bumps only what changed: a patch to one backend leaves core and the other packages as they were', () => {
    changesetVersion();
    const released = versions();
    addChangeset('fix-local', { '@hybridcompute/backend-local': 'patch' }, 'Fix a thing.');
    changesetVersion();
    const after = versions();
    for (const [name, version] of released) {
      if (name === '@hybridcompute/backend-local') continue;
      expect(after.get(name), name).toBe(version);
    }
    const [major, minor, patch] = released.get('@hybridcompute/backend-local')!.split('.').map(Number);
    expect(after.get('@hybridcompute/backend-local')).toBe(`${major}.${minor}.${patch! + 1}`);
  });

  it('a core minor does not force a new major on the backends that peer-depend on it', () => {
    changesetVersion();
    const released = versions();
    addChangeset('core-feature', { '@hybridcompute/core': 'minor' }, 'A new feature.');
    changesetVersion();
    const after = versions();
    const [major, minor] = released.get('@hybridcompute/core')!.split('.').map(Number);
    expect(after.get('@hybridcompute/core')).toBe(`${major}.${minor! + 1}.0`);
    const peerDependents = listWorkspacePackages(scratch).filter(
      (pkg) => !pkg.private && pkg.manifest.peerDependencies?.['@hybridcompute/core'] !== undefined,
    );
    expect(peerDependents.length).toBeGreaterThan(0);
    for (const pkg of peerDependents) expect(pkg.version, pkg.name).toBe(released.get(pkg.name));
  });
});
