#!/usr/bin/env node
import { messageOf } from '@hybridcompute/core';
import { backendFromCliOptions, type CliBackend } from './backend-from-cli-options.js';
import { createComputeServer } from './create-compute-server.js';
import { cliOutput } from './cli-output.js';
import { serverOptionsFromCli } from './cli-server-options.js';
import { cliUsage, parseCliArgs, type CliOptions } from './parse-cli-args.js';
import { shutDownOnSignals } from './shut-down-on-signals.js';

// hybrid-compute-server ./tasks.js [options]: see cliUsage in parse-cli-args.ts.
async function main(): Promise<number> {
  let options;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`hybrid-compute-server: ${messageOf(error)}\n\n${cliUsage}`);
    return 2;
  }
  if (options.help) {
    console.log(cliUsage);
    return 0;
  }
  let served: CliBackend;
  try {
    served = await backendFromCliOptions(options);
  } catch (error) {
    // One line, no stack: the message names the module and what is wrong with it.
    console.error(`hybrid-compute-server: ${oneLine(error)}`);
    return 1;
  }
  try {
    return await serve(options, served);
  } catch (error) {
    // Nothing should get here; if something does, one line rather than a stack, and no worker threads left holding the process open.
    await served.close().catch(() => undefined);
    console.error(`hybrid-compute-server: ${oneLine(error)}`);
    return 1;
  }
}

async function serve(options: CliOptions, served: CliBackend): Promise<number> {
  const { taskNames } = served;
  const output = cliOutput(options.log);
  let server;
  try {
    server = createComputeServer(serverOptionsFromCli(options, served, output.accessLogger));
  } catch (error) {
    await served.close();
    console.error(`hybrid-compute-server: ${oneLine(error)}`);
    return 1;
  }
  // Before listening: a supervisor may signal as soon as it reads the line that says the server is up.
  shutDownOnSignals(server, () => served.close(), output);
  try {
    const { url, metricsUrl } = await server.listen(options.port, options.host);
    output.info(`serving ${taskNames.length} task(s) (${taskNames.join(', ')}) on ${served.where} at ${url}`, { url, tasks: taskNames });
    if (metricsUrl !== undefined) output.info(`metrics at ${metricsUrl}`, { metricsUrl });
  } catch (error) {
    // Worker threads would keep the process alive after main() returns.
    await served.close();
    const { code, port } = error as { code?: unknown; port?: unknown };
    const reason = code === 'EADDRINUSE' ? `port ${typeof port === 'number' ? port : options.port} on ${options.host} is already in use` : messageOf(error);
    console.error(`hybrid-compute-server: cannot listen: ${reason}`);
    return 1;
  }
  return -1;
}

function oneLine(error: unknown): string {
  return messageOf(error).split('\n', 1)[0] as string;
}

void main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`hybrid-compute-server: ${oneLine(error)}`);
    process.exitCode = 1;
  },
);
