#!/usr/bin/env node
import { messageOf } from '@hybridcompute/core';
import { backendFromCliOptions, type CliBackend } from './backend-from-cli-options.js';
import { createComputeServer } from './create-compute-server.js';
import { cliUsage, parseCliArgs, type CliOptions } from './parse-cli-args.js';

// hybrid-compute-server ./tasks.js [--port] [--host] [--token] [--max-concurrency] [--task-timeout] [--path] [--workers]
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
  const server = createComputeServer({
    ...(served.tasks === undefined ? { backend: served.backend } : { tasks: served.tasks }),
    taskNames,
    token: options.token,
    maxConcurrency: options.maxConcurrency,
    taskTimeout: options.taskTimeout,
    path: options.path,
  });
  try {
    const { url } = await server.listen(options.port, options.host);
    console.log(`hybrid-compute-server: serving ${taskNames.length} task(s) (${taskNames.join(', ')}) on ${served.where} at ${url}`);
  } catch (error) {
    // Worker threads would keep the process alive after main() returns.
    await served.close();
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use` : messageOf(error);
    console.error(`hybrid-compute-server: cannot listen: ${reason}`);
    return 1;
  }
  const shutDown = (signal: NodeJS.Signals): void => {
    console.log(`hybrid-compute-server: ${signal}: draining ${server.activeCalls} call(s) in flight`);
    // The pool closes only after the server has drained: calls in flight still need it.
    server
      .close()
      .then(() => served.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
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
