import type { DemoReport } from './run-demo.js';

/**
 * The demo's report as the lines it prints: a table per strategy and backend
 * (tasks, p50 and p95 latency, throughput), then what the fallback did.
 *
 * @example
 * ```ts
 * console.log(formatDemoReport(await runDemo()).join('\n'));
 * ```
 */
export function formatDemoReport(report: DemoReport): string[] {
  const header = ['strategy', 'backend', 'tasks', 'p50 ms', 'p95 ms', 'tasks/s'];
  const rows: string[][] = [];
  for (const phase of report.phases) {
    const backends = Object.entries(phase.byBackend);
    for (const [backend, figures] of backends) {
      rows.push([phase.label ?? phase.strategy, backend, String(figures.tasks), ms(figures.p50Ms), ms(figures.p95Ms), figures.tasksPerSecond.toFixed(0)]);
    }
    if (backends.length !== 1 || phase.lost > 0) {
      rows.push([phase.label ?? phase.strategy, '(all)', String(phase.tasks), '', '', phase.tasksPerSecond.toFixed(0)]);
    }
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];

  lines.push('');
  const alone = report.phases.filter((phase) => phase.strategy !== 'auto');
  const auto = report.phases.find((phase) => phase.strategy === 'auto' && phase.label === undefined);
  if (auto !== undefined && alone.length > 1) {
    const best = alone.reduce((a, b) => (b.tasksPerSecond > a.tasksPerSecond ? b : a));
    const spread = Object.entries(auto.byBackend).map(([backend, figures]) => `${figures.tasks} on ${backend}`);
    lines.push(
      `placement: 'auto' did ${auto.tasksPerSecond.toFixed(0)} tasks/s (${spread.join(', ')}); the best backend alone, ${best.strategy}, ${best.tasksPerSecond.toFixed(0)}.`,
    );
  }
  const { slowdown, fallback, taskError } = report;
  if (slowdown !== undefined) {
    lines.push(
      `slowdown: another client loaded the server from halfway on (${slowdown.sideCalls} long calls); the server's share of 'auto' per quarter (the other client runs from the third on): ${slowdown.remoteSharePerQuarter.map((share) => share.toFixed(2)).join(', ')}.`,
    );
  }
  if (fallback !== undefined) {
    const elsewhere = Object.entries(fallback.completedElsewhere).map(([backend, count]) => `${count} on ${backend}`);
    lines.push(
      `fallback: the server was killed (SIGKILL) after ${fallback.killedAfter} of the 'auto' calls had started;`,
      `  ${fallback.moved} call(s) got BACKEND_UNAVAILABLE from remote and moved on (${elsewhere.join(', ') || 'none'}), ${fallback.lost} lost.`,
    );
  }
  const wrong = report.phases.reduce((sum, phase) => sum + phase.wrong, 0);
  const lost = report.phases.reduce((sum, phase) => sum + phase.lost, 0);
  const total = report.phases.reduce((sum, phase) => sum + phase.tasks + phase.lost, 0);
  lines.push(`answers: ${total - lost} of ${total} calls answered, ${wrong} wrong (checked against the tasks run here).`);
  const wasmAnswers = Object.entries(report.wasm.answers).map(([backend, answer]) => `${String(answer)} on ${backend}`);
  lines.push(`WebAssembly: longestCollatz(${report.wasm.limit}) -> ${wasmAnswers.join(', ')}; one module, every backend.`);
  const answeredBy = taskError.backendsTried[taskError.backendsTried.length - 1] ?? 'no backend';
  lines.push(
    `a task's own error: divide(1, 0) -> ${taskError.code} (cause ${taskError.causeCode ?? 'none'}) from ${answeredBy}; the router does not retry it elsewhere.`,
  );
  lines.push(...formatProgressAndStream(report));
  return lines;
}

function formatProgressAndStream({ longTask, streams }: DemoReport): string[] {
  const lines: string[] = [];
  if (longTask !== undefined) {
    lines.push(
      `progress: countPrimes(${longTask.limit}) -> ${longTask.primes} on ${longTask.backend}, with ${longTask.progressValues} progress values before the answer (the last at ${longTask.lastChecked} of ${longTask.limit}).`,
    );
  }
  for (const stream of streams) {
    lines.push(
      `stream: blurTiles streamed ${stream.tiles} tiles from ${stream.backend}, the first after ${ms(stream.firstTileMs)} ms, all after ${ms(stream.allTilesMs)} ms; ${stream.matchesBlurImage ? 'they match' : 'they do NOT match'} blurImage's checksum.`,
    );
  }
  return lines;
}

function ms(value: number): string {
  return value.toFixed(2);
}
