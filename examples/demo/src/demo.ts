import { progress, type ProgressResult } from '@clack/prompts';
import { messageOf } from '@hybridcompute/core';
import { formatDemoReport } from './format-demo-report.js';
import { DemoArgsError, demoUsage, parseDemoArgs, type DemoArgs } from './parse-demo-args.js';
import { currentRuntime, relaunchOnRuntime } from './relaunch-on-runtime.js';
import { createProgressAndStreamDrawer } from './progress-and-stream-drawer.js';
import { runDemo, type DemoProgressEvent } from './run-demo.js';
import { startDemoServer } from './start-demo-server.js';

// `pnpm demo`: the command line around runDemo. Exit codes: 0 done, 1 failed, 2 bad flags, 130 interrupted.
async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DemoArgsError)) throw error;
    console.error(`demo: ${error.message}\n\n${demoUsage}`);
    return 2;
  }
  if (args.help) {
    console.log(demoUsage);
    return 0;
  }
  if (args.runtime !== undefined && args.runtime !== currentRuntime().name) {
    // The whole demo moves there: its server and worker processes start with that runtime's execPath.
    const rest = process.argv.slice(2).filter((arg, index, all) => arg !== '--runtime' && all[index - 1] !== '--runtime' && !arg.startsWith('--runtime='));
    return relaunchOnRuntime(args.runtime, process.argv[1] as string, rest);
  }
  const interrupt = new AbortController();
  const onSignal = (): void => interrupt.abort(new Error('interrupted'));
  // SIGHUP too: a closed terminal must not leave the server behind.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    return args.serve ? await serve(args, interrupt.signal) : await demo(args, interrupt.signal);
  } catch (error) {
    if (interrupt.signal.aborted) {
      console.error('\ndemo: interrupted; the worker pool is closed and the server stopped.');
      return 130;
    }
    console.error(`demo: ${messageOf(error)}`);
    return 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGHUP', onSignal);
  }
}

async function demo(args: DemoArgs, signal: AbortSignal): Promise<number> {
  const animate = process.stdout.isTTY === true;
  let bar: ProgressResult | undefined;
  let killedNote: string | undefined;
  const drawProgressAndStream = createProgressAndStreamDrawer(animate);
  let drawing = false;
  const onProgress = (event: DemoProgressEvent): void => {
    switch (event.type) {
      case 'server-started':
        console.log(`compute server (hybrid-compute-server, pid ${event.pid}) at ${event.url}`);
        break;
      case 'phase-started':
        if (animate) {
          bar = progress({ max: event.total, size: 30, style: 'heavy', cancelMessage: 'interrupted' });
          bar.start(`strategy '${event.strategy}'`);
        } else {
          console.log(`strategy '${event.strategy}': ${event.total} calls...`);
        }
        break;
      case 'server-killed':
        killedNote = `killed the server (SIGKILL) after ${event.afterCalls} calls; the router falls back`;
        if (animate) bar?.message(`strategy '${event.strategy}': ${killedNote}`);
        else console.log(`  ${killedNote}`);
        break;
      case 'progress':
        bar?.advance(1);
        if (event.done === event.total) {
          const done = `strategy '${event.strategy}': ${event.total} calls done${killedNote === undefined ? '' : ` (${killedNote})`}`;
          if (animate) bar?.stop(done);
          else console.log(`  done`);
          bar = undefined;
        }
        break;
      default:
        drawing = drawProgressAndStream(event);
    }
  };
  // While a bar is drawn, clack reads the keyboard in raw mode and answers Ctrl-C with
  // process.exit(0). The server child is killed on exit anyway (spawnDemoServer) and
  // worker threads end with the process; this makes that exit an interruption, not a success.
  const exitedByClack = (): void => {
    if (bar === undefined && !drawing) return;
    process.stderr.write('\ndemo: interrupted; the server was killed and the worker pool ended with the process.\n');
    process.exitCode = 130;
  };
  process.once('exit', exitedByClack);
  const backendsLine = args.backends.join(', ');
  const runtime = currentRuntime();
  console.log(`hybrid-compute demo on ${runtime.name} ${runtime.version}: ${args.batchSize} calls per phase over ${backendsLine}, ${args.concurrency} in flight\n`);
  let report;
  try {
    report = await runDemo({
      batchSize: args.batchSize,
      backends: args.backends,
      workers: args.workers,
      port: args.port,
      concurrency: args.concurrency,
      onProgress,
      signal,
    });
  } catch (error) {
    if (signal.aborted) bar?.cancel('interrupted');
    else bar?.error(messageOf(error));
    bar = undefined;
    throw error;
  } finally {
    process.removeListener('exit', exitedByClack);
  }
  console.log(`\n${formatDemoReport(report).join('\n')}`);
  const lost = report.phases.reduce((sum, phase) => sum + phase.lost, 0);
  const wrong = report.phases.reduce((sum, phase) => sum + phase.wrong, 0);
  if (lost > 0 || wrong > 0) {
    console.error(`demo: ${lost} call(s) lost and ${wrong} wrong answer(s): that is a bug`);
    for (const phase of report.phases) for (const why of phase.lostBecause) console.error(`  lost in '${phase.label ?? phase.strategy}': ${why}`);
    return 1;
  }
  return 0;
}

async function serve(args: DemoArgs, signal: AbortSignal): Promise<number> {
  const port = args.port ?? 8787;
  let started;
  try {
    started = await startDemoServer({ port, corsOrigins: args.corsOrigins });
  } catch (error) {
    const reason = (error as { code?: unknown }).code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is already in use` : messageOf(error);
    throw new Error(`cannot start the compute server: ${reason}`);
  }
  console.log(`serving the demo's tasks at ${started.url} (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  await started.server.close();
  console.log('server stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`demo failed: ${messageOf(error)}`);
    process.exitCode = 1;
  },
);
