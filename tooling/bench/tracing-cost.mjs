// `bench:tracing`: what OpenTelemetry support costs a no-op call, through the
// router to the local backend, to a worker thread and over HTTP, in three
// states of an application: @opentelemetry/api absent, installed with nothing
// registered, and registered with a tracer (spans made, exported nowhere).
// Each state runs in fresh processes (tracing-cost-run.mjs), interleaved, and
// the median of BENCH_RUNS processes is reported, in ns per call, with each
// state's ratio to 'absent'. Figures from a shared, busy machine are provisional.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_RUNS ?? 3);
const script = fileURLToPath(new URL('./tracing-cost-run.mjs', import.meta.url));
const hide = fileURLToPath(new URL('./hide-otel-api.cjs', import.meta.url));
const modes = ['absent', 'installed', 'traced'];

const samples = Object.fromEntries(modes.map((mode) => [mode, []]));
for (let run = 0; run < runs; run++) {
  for (const mode of modes) {
    const args = mode === 'absent' ? ['--require', hide, script] : [script];
    const output = execFileSync(process.execPath, args, { env: { ...process.env, BENCH_TRACING: mode }, encoding: 'utf8' });
    samples[mode].push(JSON.parse(output));
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const subjects = Object.keys(samples.absent[0]);
const figures = {};
for (const mode of modes) {
  figures[mode] = Object.fromEntries(subjects.map((subject) => [subject, median(samples[mode].map((sample) => sample[subject]))]));
}

console.log(`Tracing cost, ns per no-op call (median of ${runs} processes per state; ratio to 'absent')`);
console.log(['call'.padEnd(11), ...modes.map((mode) => mode.padStart(20))].join(' '));
for (const subject of subjects) {
  const base = figures.absent[subject];
  const cells = modes.map((mode) => `${figures[mode][subject].toFixed(0)} (${(figures[mode][subject] / base).toFixed(2)}x)`.padStart(20));
  console.log([subject.padEnd(11), ...cells].join(' '));
}
console.log(JSON.stringify({ runs, figures }));
