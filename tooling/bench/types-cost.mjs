// What the router's type inference costs the compiler. Generates a project
// with 200 tasks spread over 4 backends (local, worker, remote, BullMQ: 50
// each) and one runTask call per task, then runs `tsc --extendedDiagnostics`
// on three forms of it:
//   baseline: the four backends, no router (what every form shares);
//   explicit: createHybridCompute<typeof tasks>(...), the form before inference;
//   inferred: createHybridCompute({ local, worker, remote, queued }).
// Prints the instantiations, types and check time of each, and the ratio of
// inferred to explicit, in total and above the baseline.
//
//   node tooling/bench/types-cost.mjs [--tasks 200] [--runs 3] [--forms baseline,explicit,inferred]
// --before-inference (with --forms baseline,explicit) measures a checkout from before inference,
// whose createRemoteBackend takes no type argument and where the inferred form cannot compile.
// Needs the packages built (`pnpm turbo run build --filter=@hybridcompute/bench...`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    forms: { type: 'string', default: 'baseline,explicit,inferred' },
    'before-inference': { type: 'boolean', default: false },
  },
});
const taskCount = Number(values.tasks);
const runs = Number(values.runs);
const backends = ['local', 'worker', 'remote', 'queued'];
if (!Number.isInteger(taskCount) || taskCount < backends.length || taskCount % backends.length !== 0) {
  throw new Error(`--tasks must be a multiple of ${backends.length}`);
}
const perBackend = taskCount / backends.length;

const here = fileURLToPath(new URL('.', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// Inside tooling/bench, so that the generated files resolve @hybridcompute/* from its node_modules.
const workDir = mkdtempSync(join(here, '.types-cost-'));

function taskModule(backendIndex) {
  const lines = ["import { defineTask } from '@hybridcompute/core';"];
  for (let i = backendIndex * perBackend; i < (backendIndex + 1) * perBackend; i++) {
    // Each task its own input and output types, as real tasks have.
    lines.push(`export const t${i} = defineTask('t${i}', (input: { n${i}: number; label: string }) => ({ r${i}: input.n${i} * 2 }));`);
  }
  return `${lines.join('\n')}\n`;
}

const backendSetup = `
import { createBullmqBackend } from '@hybridcompute/backend-bullmq';
import { createLocalBackend } from '@hybridcompute/backend-local';
import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import * as localTasks from './tasks-0.js';
import * as workerTasks from './tasks-1.js';
${values['before-inference'] ? '' : "import type * as remoteTasks from './tasks-2.js';"}
import * as queuedTasks from './tasks-3.js';
export const local = createLocalBackend({ tasks: localTasks });
export const worker = createWorkerBackend({ url: new URL('file:///tasks.worker.js'), tasks: workerTasks });
export const remote = createRemoteBackend${values['before-inference'] ? '' : '<typeof remoteTasks>'}({ endpoint: 'http://127.0.0.1:8080/compute' });
export const queued = createBullmqBackend({ connection: 'redis://127.0.0.1:6379', queue: 'compute', tasks: queuedTasks });
`;

function calls() {
  const lines = [];
  for (let i = 0; i < taskCount; i++) {
    const strategy = backends[Math.floor(i / perBackend)];
    lines.push(`  results.push(await compute.runTask('t${i}', { n${i}: ${i}, label: 'x' }${i % 2 === 0 ? `, '${strategy}'` : ''}));`);
  }
  return lines.join('\n');
}

const forms = {
  baseline: `${backendSetup}export {};\n`,
  explicit: `${backendSetup}
import { createHybridCompute } from '@hybridcompute/core';
import type * as tasks from './all-tasks.js';
const compute = createHybridCompute<typeof tasks>({ local, worker, remote, queued });
export async function runAll(): Promise<unknown[]> {
  const results: unknown[] = [];
${calls()}
  return results;
}
`,
  inferred: `${backendSetup}
import { createHybridCompute } from '@hybridcompute/core';
const compute = createHybridCompute({ local, worker, remote, queued });
export async function runAll(): Promise<unknown[]> {
  const results: unknown[] = [];
${calls()}
  return results;
}
`,
};

function measure(form) {
  const dir = join(workDir, form);
  mkdirSync(dir);
  backends.forEach((_, index) => writeFileSync(join(dir, `tasks-${index}.ts`), taskModule(index)));
  writeFileSync(join(dir, 'all-tasks.ts'), backends.map((_, index) => `export * from './tasks-${index}.js';`).join('\n'));
  writeFileSync(join(dir, 'main.ts'), forms[form]);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../../../tsconfig.base.json', compilerOptions: { noEmit: true, lib: ['ES2022', 'DOM'] }, include: ['*.ts'] }),
  );
  const samples = [];
  for (let run = 0; run < runs; run++) {
    let output;
    try {
      output = execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--extendedDiagnostics'], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`the ${form} form does not compile:\n${error.stdout}`);
    }
    const read = (label) => Number(new RegExp(`^${label}:\\s+([\\d.]+)`, 'm').exec(output)?.[1]);
    samples.push({ instantiations: read('Instantiations'), types: read('Types'), checkSeconds: read('Check time') });
  }
  // Instantiations and types do not vary between runs; the time does, so take its median.
  const times = samples.map((sample) => sample.checkSeconds).sort((a, b) => a - b);
  return { ...samples[0], checkSeconds: times[Math.floor(times.length / 2)] };
}

try {
  const results = Object.fromEntries(values.forms.split(',').map((form) => [form, measure(form)]));
  console.log(`${taskCount} tasks across ${backends.length} backends, ${taskCount} runTask calls; TypeScript ${createRequire(import.meta.url)('typescript/package.json').version}`);
  console.log('form      instantiations    types  check time (median of', runs, 'runs)');
  for (const [form, { instantiations, types, checkSeconds }] of Object.entries(results)) {
    console.log(`${form.padEnd(9)} ${String(instantiations).padStart(14)} ${String(types).padStart(8)}  ${checkSeconds.toFixed(2)} s`);
  }
  const { baseline, explicit, inferred } = results;
  const ratio = (a, b) => (a / b).toFixed(2);
  if (baseline !== undefined && explicit !== undefined && inferred !== undefined) {
    console.log(`inferred / explicit instantiations: ${ratio(inferred.instantiations, explicit.instantiations)}x in total, ${ratio(inferred.instantiations - baseline.instantiations, explicit.instantiations - baseline.instantiations)}x above the baseline`);
    console.log(`inferred / explicit check time: ${ratio(inferred.checkSeconds, explicit.checkSeconds)}x`);
  }
} finally {
  if (process.env.TYPES_COST_KEEP === undefined) rmSync(workDir, { recursive: true, force: true });
  else console.log(`kept ${workDir}`);
}
