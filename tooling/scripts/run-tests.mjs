// The README's test command. On the Node that runs it, it builds, typechecks, checks the
// packages and runs every package's tests through turbo; then it runs the tests again on each
// other supported Node major (binaries from the npm registry's node-<platform>-<arch> packages,
// the ones the `node` package installs), then on Bun and on Deno (the pinned `bun` and `deno`
// dev dependencies; see runOnRuntime), and prints one line summing the real results of all runs.
//
//   node tooling/scripts/run-tests.mjs                 all of the above
//   node tooling/scripts/run-tests.mjs --current-node  only the Node that runs it (quicker)
//   node tooling/scripts/run-tests.mjs --only-runtime=bun   only Bun's run (or deno), on a built tree
//   any other argument is passed to turbo, e.g. --filter=@hybridcompute/core
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
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
const onlyRuntime = args.find((arg) => arg.startsWith('--only-runtime='))?.slice('--only-runtime='.length);
const turboArgs = args.filter((arg) => arg !== '--current-node' && !arg.startsWith('--only-runtime='));

/**
 * The other runtimes, from the root's pinned dev dependencies (their install scripts put the
 * real binaries in place). Each runs vitest itself, so every test file runs in that runtime's
 * processes and workers (the browser tests too: their servers run on that runtime, their pages
 * in headless Chromium). Left out there: release-checks only (the repository's own files).
 */
const otherRuntimes = [
  { name: 'bun', binary: ['node_modules/bun/bin/bun.exe', 'node_modules/.bin/bun'], vitest: (bin, vitest) => [bin, '--bun', vitest] },
  { name: 'deno', binary: ['node_modules/deno/deno', 'node_modules/.bin/deno'], vitest: (bin, vitest) => [bin, 'run', '-A', vitest] },
];
// Node only: release-checks checks the repository's own files (docs/api, JSDoc, package
// manifests, the changesets), which are the same whatever runs it.
const notOnOtherRuntimes = new Set(['@hybridcompute/release-checks']);

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

const runs = onlyRuntime === undefined ? [runTurbo(process.version, ['build', 'typecheck', 'lint:package', 'test'], process.env)] : [];
if (onlyRuntime !== undefined) {
  const runtime = otherRuntimes.find(({ name }) => name === onlyRuntime);
  if (runtime === undefined) {
    console.error(`--only-runtime: one of ${otherRuntimes.map(({ name }) => name).join(', ')}`);
    process.exit(2);
  }
  runs.push(await runOnRuntime(runtime));
} else if (!currentNodeOnly) {
  for (const version of otherNodeVersions) {
    if (process.versions.node.split('.')[0] === version.split('.')[0]) continue;
    const nodeBin = installNode(version);
    if (nodeBin === undefined) {
      runs.push({ runtime: 'node', label: `v${version}`, turboFailed: true, passed: 0, failed: 1, skipped: 0 });
      continue;
    }
    // The Node version joins turbo's hash (globalEnv), so one version's cached results never stand
    // in for another's; vitest and the test fixtures run on the first `node` on PATH.
    const env = { ...process.env, PATH: `${nodeBin}${delimiter}${process.env.PATH ?? ''}` };
    runs.push(runTurbo(`v${version}`, ['test'], env));
  }
  for (const runtime of otherRuntimes) runs.push(await runOnRuntime(runtime));
}

// Listed again here, at the end, because a CI log is often read from its tail: a flaky test
// must be named where the summary is, not only thousands of lines above it.
const failures = runs.flatMap((run) => run.failures ?? []);
if (failures.length > 0) {
  console.log(`\nfailed tests (${failures.length}):`);
  for (const failure of failures) console.log(`  ${failure}`);
  console.log('');
}
if (runs.length > 1 || onlyRuntime !== undefined) {
  for (const run of runs) {
    const skipped = run.skipped > 0 ? `, ${run.skipped} skipped` : '';
    const failedTask = run.turboFailed ? (run.runtime === 'node' ? ' (a turbo task failed)' : ' (a test run did not finish)') : '';
    console.log(`${run.runtime} ${run.label}: ${run.passed} passed, ${run.failed} failed${skipped}${failedTask}`);
  }
}
const total = (key) => runs.reduce((sum, run) => sum + run[key], 0);
// The line counts tests; a failed build, typecheck or package check is said separately, above it.
if (runs.some((run) => run.turboFailed)) {
  console.log('turbo: one or more tasks failed (build, typecheck, lint:package or test), or a test run on another runtime did not finish; see the log above');
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
  const run = { runtime: 'node', label, turboFailed: turbo.status !== 0, passed: 0, failed: 0, skipped: 0 };
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
    addReport(run, manifest.name, file);
  }
  return run;
}

/** Adds the counts of one vitest JSON report to `run`. */
function addReport(run, packageName, file) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  run.passed += report.numPassedTests;
  run.failed += report.numFailedTests;
  run.skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails outside any test (an import error, a failing beforeAll) fails no test
  // and leaves its tests pending: count it as one failure, not as skips.
  for (const testFile of report.testResults ?? []) {
    const assertions = testFile.assertionResults ?? [];
    for (const assertion of assertions) {
      if (assertion.status !== 'failed') continue;
      const why = String(assertion.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300);
      (run.failures ??= []).push(`${run.runtime} ${run.label} ${packageName} ${relative(root, testFile.name)} > ${assertion.fullName}: ${why}`);
    }
    if (testFile.status === 'failed' && !assertions.some((assertion) => assertion.status === 'failed')) {
      console.error(`${packageName}: ${testFile.name} failed outside its tests on ${run.runtime} ${run.label}`);
      (run.failures ??= []).push(`${run.runtime} ${run.label} ${packageName} ${relative(root, testFile.name)}: failed outside its tests: ${String(testFile.message ?? '').split('\n')[0].slice(0, 300)}`);
      run.failed++;
      run.skipped -= assertions.filter((assertion) => assertion.status === 'pending' || assertion.status === 'skipped').length;
    }
  }
}

/**
 * Runs every package's tests under another runtime: that runtime runs vitest, two packages at
 * a time, on the tree the Node run built. Not through turbo: its cache would key on Node.
 */
async function runOnRuntime({ name, binary, vitest }) {
  const bin = binary.map((path) => join(root, path)).find((path) => existsSync(path));
  const version = bin === undefined ? undefined : spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (bin === undefined || version.status !== 0) {
    console.error(`${name} is not installed (pnpm install puts it in node_modules)`);
    return { runtime: name, label: '', turboFailed: true, passed: 0, failed: 1, skipped: 0 };
  }
  const label = version.stdout.split('\n')[0].replace(/^deno /, '').split(' ')[0];
  const run = { runtime: name, label, turboFailed: false, passed: 0, failed: 0, skipped: 0 };
  const vitestEntry = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const filtered = turboArgs.some((arg) => arg.startsWith('--filter'));
  const queue = packagesWithTests.filter(({ manifest }) => !notOnOtherRuntimes.has(manifest.name) && (!filtered || turboArgs.includes(`--filter=${manifest.name}`)));
  console.log(`\n== ${name} ${label}: vitest run in ${queue.length} packages\n`);
  // The pinned bun and deno on PATH, as pnpm's scripts have them: the demo's --runtime test starts them by name.
  const binPath = `${join(root, 'node_modules', '.bin')}${delimiter}${process.env.PATH ?? ''}`;
  const runPackage = async ({ dir, manifest }) => {
    const resultFile = join(dir, 'test-results.json');
    rmSync(resultFile, { force: true });
    const [command, ...commandArgs] = vitest(bin, vitestEntry);
    const child = spawn(command, [...commandArgs, 'run'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PATH: binPath, HYBRIDCOMPUTE_TEST_NODE: `${name}-${label}` } });
    // Two packages at once: each one's output is printed whole once it is done, not interleaved.
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await new Promise((resolve) => child.once('close', (...outcome) => resolve(outcome)));
    process.stdout.write(`\n-- ${manifest.name} on ${name} ${label} (exit ${code})\n${output}`);
    if (!existsSync(resultFile)) {
      console.error(`no test results from ${manifest.name} on ${name} ${label}`);
      run.failed++;
      return;
    }
    const failedBefore = run.failed;
    addReport(run, manifest.name, resultFile);
    // vitest exits non-zero for an error outside every test (an unhandled rejection, a late
    // throw), yet its report then counts only passes: on Node turbo fails the task; here, count it.
    if (code !== 0 && run.failed === failedBefore) {
      run.failed++;
      (run.failures ??= []).push(`${name} ${label} ${manifest.name}: vitest exited ${code} with no failed test (an error outside the tests: see its output above)`);
    }
  };
  const lanes = Array.from({ length: 2 }, async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runPackage(next);
  });
  await Promise.all(lanes);
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
