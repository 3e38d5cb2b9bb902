import { parseArgs } from 'node:util';
import { runDemo } from './run-demo.js';

const usage = `Usage: pnpm demo [--batch N]

Runs a batch of tasks through a hybrid-compute router over the local backend,
then shows a task error with its code and a timeout.

  --batch N   how many tasks the batch runs (default 200, 1 to 100000)
  --help      show this text`;

async function main(): Promise<number> {
  let values: { batch?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { batch: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  const batchSize = values.batch === undefined ? 200 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) {
    console.error(`--batch must be a whole number from 1 to 100000, got '${values.batch}'\n\n${usage}`);
    return 2;
  }

  const report = await runDemo({ batchSize });
  const { batch } = report;
  console.log(`hybrid-compute demo: ${batch.tasks} tasks through createHybridCompute({ local })\n`);
  console.log('backend  tasks   p50 ms   p95 ms   tasks/s');
  for (const [backend, count] of Object.entries(batch.byBackend)) {
    console.log(
      `${backend.padEnd(8)} ${String(count).padStart(5)} ${batch.p50Ms.toFixed(3).padStart(8)} ${batch.p95Ms.toFixed(3).padStart(8)} ${batch.tasksPerSecond.toFixed(0).padStart(9)}`,
    );
  }
  console.log(`\ncountPrimes(100), typed number -> number: ${report.typedResult}`);
  console.log(`divide by zero: rejected with ${report.failure.code} (cause code ${report.failure.causeCode})`);
  console.log(`countPrimes(50M) with { timeout: 50 }: rejected with ${report.timeout.code} after ${report.timeout.afterMs.toFixed(0)} ms`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
