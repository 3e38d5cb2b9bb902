// An A/B of remote clients and servers from two checkouts: each client against each server, HTTP
// (or TRANSPORT=websocket), 64 calls in flight, the median of 5 rounds of 10,000 no-op calls.
// CLIENT_ROOT and SERVER_ROOT are repository roots with their packages built; ENC forces an encoding.
//   CLIENT_ROOT=/path/a SERVER_ROOT=/path/b node tooling/bench/remote-client-server-ab.mjs
// Prints one JSON line: which client, which server, calls per second.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const clientRoot = process.env.CLIENT_ROOT;
const serverRoot = process.env.SERVER_ROOT;
if (clientRoot === undefined || serverRoot === undefined) {
  console.error('set CLIENT_ROOT and SERVER_ROOT to two repository roots');
  process.exit(2);
}
const require = createRequire(`${clientRoot}/tooling/bench/package.json`);
const { createRemoteBackend } = await import(pathToFileURL(require.resolve('@hybridcompute/backend-remote')).href);
const child = spawn(process.execPath, [`${serverRoot}/tooling/bench/remote-servers.mjs`], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const transport = process.env.TRANSPORT ?? 'http';
const remote = createRemoteBackend({
  endpoint: `http://127.0.0.1:${ports.ours}/compute`,
  connections: 64,
  transport,
  ...(process.env.ENC === undefined ? {} : { encoding: process.env.ENC }),
});

async function round(count) {
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (next < count) await remote.runTask('noop', next++);
  }));
  return count / ((performance.now() - startedAt) / 1000);
}

await round(3_000);
const rates = [];
for (let index = 0; index < 5; index++) rates.push(await round(10_000));
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ client: clientRoot, server: serverRoot, transport, callsPerSecond: Math.round(rates[2]) }));
await remote.close();
child.kill();
