// Child process of server-observability.mjs: the same no-op task on four compute
// servers (plain, metrics on, access log on, both), so their cost per call can be
// compared in one process; prints their ports.
import { defineTask } from '@hybridcompute/core';
import { createComputeServer } from '@hybridcompute/server';

const noop = defineTask('noop', (input) => input);
// A logger that formats its line as pino would and drops it: the log's cost on the server, not the terminal's.
let written = 0;
const logger = { info: (fields, message) => void (written += JSON.stringify({ ...fields, msg: message }).length) };

const variants = { plain: {}, metrics: { metrics: true }, logged: { logger }, both: { metrics: true, logger } };
const ports = {};
for (const [name, options] of Object.entries(variants)) {
  const server = createComputeServer({ tasks: [noop], maxConcurrency: 1024, ...options });
  ports[name] = (await server.listen(0, '127.0.0.1')).port;
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.on('SIGTERM', () => process.exit(written === -1 ? 1 : 0));
