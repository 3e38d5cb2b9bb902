import type { PlainSpan } from '@hybridcompute/test-support/tracing';
import { pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { fixture, killChildren, serve } from '../cli-process.js';
import { send } from '../http-client.js';

afterEach(killChildren);

// NODE_OPTIONS' --import is Node's way to load an SDK before the CLI: on Bun and Deno the CLI under test runs on Node.
const nodeBinary = typeof process.versions.bun === 'string' || 'Deno' in globalThis ? 'node' : process.execPath;

it('traces the CLI with --workers when Node is started with --import of an SDK setup: the call and its run in the server, the task in a worker thread, all in the caller\'s trace', async () => {
  const { url, printed, stdout } = await serve([fixture('tasks.mjs'), '--port', '0', '--workers', '1'], {
    executable: nodeBinary,
    env: { NODE_OPTIONS: `--import=${pathToFileURL(fixture('otel-setup.mjs')).href}` },
  });
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const callerSpanId = '00f067aa0ba902b7';
  const answer = await send(url, { body: JSON.stringify({ task: 'double', input: 21 }), headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
  expect(answer.json).toEqual({ result: 42 });
  await printed('"name":"hybridcompute/double run"');
  await printed('"name":"hybridcompute/double"');
  const spans = stdout()
    .split('\n')
    .filter((line) => line.startsWith('span '))
    .map((line) => JSON.parse(line.slice(5)) as PlainSpan & { threadId: number });
  const handling = spans.find((span) => span.name === 'hybridcompute/double')!;
  const run = spans.find((span) => span.name === 'run double')!;
  const workerRun = spans.find((span) => span.name === 'hybridcompute/double run')!;
  expect(handling).toMatchObject({ traceId, parentSpanId: callerSpanId, threadId: 0 });
  expect(run).toMatchObject({ traceId, parentSpanId: handling.spanId, threadId: 0 });
  expect(workerRun.traceId).toBe(traceId);
  expect(workerRun.parentSpanId).toBe(run.spanId);
  expect(workerRun.threadId).not.toBe(0);
});
