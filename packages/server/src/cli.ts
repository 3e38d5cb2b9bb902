#!/usr/bin/env node
import { messageOf } from '@hybridcompute/core';
import { backendFromCliOptions } from './backend-from-cli-options.js';
import { createComputeServer } from './create-compute-server.js';
import { loadTaskModule } from './load-task-module.js';
import { cliUsage, parseCliArgs } from './parse-cli-args.js';

// hybrid-compute-server ./tasks.js [--port] [--host] [--token] [--max-concurrency] [--task-timeout]
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
  let tasks;
  try {
    tasks = await loadTaskModule(options.tasksModule);
  } catch (error) {
    console.error(`hybrid-compute-server: cannot serve ${options.tasksModule}: ${messageOf(error)}`);
    return 1;
  }
  const server = createComputeServer({
    backend: backendFromCliOptions(options, tasks),
    token: options.token,
    maxConcurrency: options.maxConcurrency,
    taskTimeout: options.taskTimeout,
    path: options.path,
  });
  try {
    const { url } = await server.listen(options.port, options.host);
    console.log(`hybrid-compute-server: serving ${tasks.size} task(s) (${[...tasks.keys()].join(', ')}) at ${url}`);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = code === 'EADDRINUSE' ? `port ${options.port} on ${options.host} is already in use` : messageOf(error);
    console.error(`hybrid-compute-server: cannot listen: ${reason}`);
    return 1;
  }
  const shutDown = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
  return -1;
}

void main().then((code) => {
  if (code >= 0) process.exitCode = code;
});
