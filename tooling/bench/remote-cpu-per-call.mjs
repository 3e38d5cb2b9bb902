// CPU time a call on each side of an HTTP call, which a busy machine disturbs far less than calls per
// second: raw undici to the bare handler, ours with 'auto' (MessagePack toward our server) and ours
// forced to JSON, 64 in flight, the median of ROUNDS rounds of CALLS no-op calls. The client's CPU is
// process.cpuUsage() (user + system), the server's is read from /proc/<pid>/stat (Linux only).
// CLIENT_ROOT and SERVER_ROOT are repository roots with their packages built (SERVER_ROOT defaults to
// CLIENT_ROOT), so two builds can be compared, run after run:
//   CLIENT_ROOT=$PWD node tooling/bench/remote-cpu-per-call.mjs
// Prints one JSON line: for each path, calls per second and microseconds of CPU a call on each side.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
const clientRoot = process.env.CLIENT_ROOT, serverRoot = process.env.SERVER_ROOT ?? clientRoot;
const require = createRequire(`${clientRoot}/tooling/bench/package.json`);
const { createRemoteBackend } = await import(pathToFileURL(require.resolve('@hybridcompute/backend-remote')).href);
const { Pool } = await import(pathToFileURL(require.resolve('undici')).href);
const child = spawn(process.execPath, [`${serverRoot}/tooling/bench/remote-servers.mjs`], { stdio: ['ignore', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const serverCpu = () => { const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10000; };
const url = `http://127.0.0.1:${ports.ours}/compute`;
const pool = new Pool(`http://127.0.0.1:${ports.bare}`, { connections: 64, pipelining: 1 });
const auto = createRemoteBackend({ endpoint: url, connections: 64 });
const json = createRemoteBackend({ endpoint: url, connections: 64, encoding: 'json' });
const subjects = {
  raw: async (n) => { const r = await pool.request({ path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ task: 'noop', input: n }) }); return (await r.body.json()).result; },
  auto: (n) => auto.runTask('noop', n),
  json: (n) => json.runTask('noop', n),
};
const calls = Number(process.env.CALLS ?? 10000);
async function measure(call, count) {
  let next = 0;
  const s0 = serverCpu(), c0 = process.cpuUsage(), t0 = performance.now();
  await Promise.all(Array.from({ length: 64 }, async () => { while (next < count) await call(next++); }));
  const c = process.cpuUsage(c0);
  return { rate: count / ((performance.now() - t0) / 1000), client: (c.user + c.system) / count, server: (serverCpu() - s0) / count };
}
for (const call of Object.values(subjects)) await measure(call, 3000);
const per = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let r = 0; r < Number(process.env.ROUNDS ?? 5); r++) for (const [k, call] of Object.entries(subjects)) per[k].push(await measure(call, calls));
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const out = { client: clientRoot.split('/').pop(), server: serverRoot.split('/').pop() };
for (const [k, rs] of Object.entries(per)) out[k] = { rate: Math.round(med(rs.map((r) => r.rate))), client: +med(rs.map((r) => r.client)).toFixed(2), server: +med(rs.map((r) => r.server)).toFixed(2) };
console.log(JSON.stringify(out));
await auto.close(); await json.close(); await pool.close(); child.kill();
