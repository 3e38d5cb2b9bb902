// The README's test command: builds, typechecks, checks the packages and runs every
// package's tests through turbo, then prints one line summing the real results.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const listed = spawnSync('pnpm', ['-r', '--silent', 'exec', 'pwd'], { cwd: root, encoding: 'utf8' });
if (listed.status !== 0) {
  console.error(listed.stderr || 'could not list the workspace packages');
  process.exit(1);
}
const packageDirs = listed.stdout.split('\n').filter(Boolean);
const resultFiles = packageDirs.map((dir) => join(dir, 'test-results.json'));
// Results from an earlier run must not be counted as this run's; turbo restores them on a cache hit.
for (const file of resultFiles) rmSync(file, { force: true });

const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', 'typecheck', 'lint:package', 'test', '--continue', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});

const totals = { passed: 0, failed: 0, skipped: 0 };
let missingResults = 0;
for (const [index, file] of resultFiles.entries()) {
  const manifest = JSON.parse(readFileSync(join(packageDirs[index], 'package.json'), 'utf8'));
  if (manifest.scripts?.test === undefined) continue;
  if (!existsSync(file)) {
    // A package with tests that wrote no results did not finish: count it as a failure.
    console.error(`no test results from ${manifest.name}`);
    missingResults++;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
totals.failed += missingResults;

// The line counts tests; a failed build, typecheck or package check is said separately, above it.
if (turbo.status !== 0) console.log('turbo: one or more tasks failed (build, typecheck, lint:package or test); see the log above');
const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${skipped}`);
process.exit(turbo.status === 0 && totals.failed === 0 ? 0 : 1);
