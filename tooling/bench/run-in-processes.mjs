import { execFileSync } from 'node:child_process';

/**
 * Runs `script` in `runs` fresh Node processes, one after another, each
 * printing a JSON object of figures, and returns the median of each figure.
 * Separate processes keep one run's JIT and heap state out of the next.
 */
export function medianOverProcesses(script, runs, env = {}) {
  const samples = [];
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(process.execPath, [script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    samples.push(JSON.parse(output));
  }
  const medians = {};
  for (const key of Object.keys(samples[0])) {
    const values = samples.map((sample) => sample[key]).sort((a, b) => a - b);
    medians[key] = values[Math.floor(values.length / 2)];
  }
  return { medians, samples };
}
