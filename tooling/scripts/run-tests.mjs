// The README's test command. On the Node that runs it, it builds, typechecks, checks the
// packages and runs every package's tests through turbo; then it runs the tests again on each
// other supported Node major (binaries from the npm registry's node-<platform>-<arch> packages,
// the ones the `node` package installs), and prints one line summing the real results of all runs.
//
//   node tooling/scripts/run-tests.mjs                 all of the above
//   node tooling/scripts/run-tests.mjs --current-node  only the Node that runs it (quicker)
//   any other argument is passed to turbo, e.g. --filter=@hybridcompute/core
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Exact versions, so a run today and a run next month test the same Node. The one whose major
 * is the running Node's is left out: that major has just been tested. Node 20 is listed so that
 * a machine whose Node is 22 or 24 still tests on 20.
 */
const otherNodeVersions = ['20.20.2', '22.23.3', '24.21.0'];

const root = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const currentNodeOnly = args.includes('--current-node');
const turboArgs = args.filter((arg) => arg !== '--current-node');

const listed = spawnSync('pnpm', ['-r', '--silent', 'exec', 'pwd'], { cwd: root, encoding: 'utf8' });
if (listed.status !== 0) {
  console.error(listed.stderr || 'could not list the workspace packages');
  process.exit(1);
}
const packagesWithTests = listed.stdout
  .split('\n')
  .filter(Boolean)
  .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => manifest.scripts?.test !== undefined);

const runs = [runTurbo(process.version, ['build', 'typecheck', 'lint:package', 'test'], process.env)];
if (!currentNodeOnly) {
  for (const version of otherNodeVersions) {
    if (process.versions.node.split('.')[0] === version.split('.')[0]) continue;
    const nodeBin = installNode(version);
    if (nodeBin === undefined) {
      runs.push({ label: `v${version}`, turboFailed: true, passed: 0, failed: 1, skipped: 0 });
      continue;
    }
    // The Node version joins turbo's hash (globalEnv), so one version's cached results never stand
    // in for another's; vitest and the test fixtures run on the first `node` on PATH.
    const env = { ...process.env, PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ''}` };
    runs.push(runTurbo(`v${version}`, ['test'], env));
  }
}

if (runs.length > 1) {
  for (const run of runs) {
    const skipped = run.skipped > 0 ? `, ${run.skipped} skipped` : '';
    console.log(`node ${run.label}: ${run.passed} passed, ${run.failed} failed${skipped}${run.turboFailed ? ' (a turbo task failed)' : ''}`);
  }
}
const total = (key) => runs.reduce((sum, run) => sum + run[key], 0);
// The line counts tests; a failed build, typecheck or package check is said separately, above it.
if (runs.some((run) => run.turboFailed)) {
  console.log('turbo: one or more tasks failed (build, typecheck, lint:package or test); see the log above');
}
const skipped = total('skipped') > 0 ? `, ${total('skipped')} skipped` : '';
console.log(`tests: ${total('passed')} passed, ${total('failed')} failed${skipped}`);
process.exit(runs.every((run) => !run.turboFailed) && total('failed') === 0 ? 0 : 1);

/** Runs turbo tasks with the given environment and sums the vitest JSON reports they wrote. */
function runTurbo(label, tasks, env) {
  const resultFiles = packagesWithTests.map(({ dir }) => join(dir, 'test-results.json'));
  // Results from an earlier run must not be counted as this run's; turbo restores them on a cache hit.
  for (const file of resultFiles) rmSync(file, { force: true });
  console.log(`\n== node ${label}: turbo run ${tasks.join(' ')}\n`);
  const turbo = spawnSync('pnpm', ['exec', 'turbo', 'run', ...tasks, '--continue', ...turboArgs], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, TURBO_TELEMETRY_DISABLED: '1', HYBRIDCOMPUTE_TEST_NODE: label },
  });
  const run = { label, turboFailed: turbo.status !== 0, passed: 0, failed: 0, skipped: 0 };
  for (const [index, file] of resultFiles.entries()) {
    const { manifest } = packagesWithTests[index];
    if (!existsSync(file)) {
      // A package with tests that wrote no results did not finish: count it as a failure.
      // Under --filter, packages left out wrote none on purpose.
      if (turboArgs.some((arg) => arg.startsWith('--filter'))) continue;
      console.error(`no test results from ${manifest.name} on node ${label}`);
      run.failed++;
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    run.passed += report.numPassedTests;
    run.failed += report.numFailedTests;
    run.skipped += report.numPendingTests + report.numTodoTests;
    // A file that fails outside any test (an import error, a failing beforeAll) fails no test
    // and leaves its tests pending: count it as one failure, not as skips.
    for (const file of report.testResults ?? []) {
      const assertions = file.assertionResults ?? [];
      if (file.status === 'failed' && !assertions.some((assertion) => assertion.status === 'failed')) {
        console.error(`${manifest.name}: ${file.name} failed outside its tests on node ${label}`);
        run.failed++;
        run.skipped -= assertions.filter((assertion) => assertion.status === 'pending' || assertion.status === 'skipped').length;
      }
    }
  }
  return run;
}

/** Installs Node `version` once into node_modules/.cache and returns its bin folder. */
function installNode(version) {
  const packageName = `node-${process.platform}-${process.arch}`;
  const prefix = join(root, 'node_modules', '.cache', 'hybridcompute-node', version);
  const bin = join(prefix, 'node_modules', packageName, 'bin');
  if (existsSync(join(bin, 'node'))) return bin;
  console.log(`installing Node ${version} (${packageName}) from the npm registry`);
  const install = spawnSync(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefix', prefix, `${packageName}@${version}`],
    { stdio: 'inherit' },
  );
  if (install.status !== 0 || !existsSync(join(bin, 'node'))) {
    console.error(`could not install Node ${version} from ${packageName}`);
    return undefined;
  }
  return bin;
}
