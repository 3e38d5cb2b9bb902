import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A package of the workspace, read from its package.json. */
export interface WorkspacePackage {
  name: string;
  version: string;
  private: boolean;
  /** Absolute path of the package's folder. */
  dir: string;
  manifest: Record<string, unknown> & {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
}

/** Every package under the workspace's folders (packages, tooling, examples), sorted by name. */
export function listWorkspacePackages(root: string = repoRoot): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const group of ['packages', 'tooling', 'examples']) {
    const groupDir = join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const entry of readdirSync(groupDir, { withFileTypes: true })) {
      const manifestPath = join(groupDir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as WorkspacePackage['manifest'];
      found.push({
        name: String(manifest['name']),
        version: String(manifest['version']),
        private: manifest['private'] === true,
        dir: join(groupDir, entry.name),
        manifest,
      });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
