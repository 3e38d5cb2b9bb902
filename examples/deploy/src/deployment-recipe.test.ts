// No container engine runs here, so the recipe is checked against the real packages instead of built:
// the Dockerfile's and compose file's commands are run as they are written, against a real server and Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBullmqBackend } from '@hybridcompute/backend-bullmq';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startRedisServer, type RedisServer } from '../../../packages/backend-bullmq/test/redis-server.js';

const here = dirname(fileURLToPath(import.meta.url));
const recipe = join(here, '..');
const require = createRequire(import.meta.url);
const dockerfile = DockerfileParser.parse(readFileSync(join(recipe, 'Dockerfile'), 'utf8'));
const compose = parseYaml(readFileSync(join(recipe, 'compose.yaml'), 'utf8')) as {
  services: Record<string, { build?: string; command?: string[]; init?: boolean; environment?: Record<string, string> }>;
};
const instructions = dockerfile.getInstructions();
const lastStage = instructions.slice(instructions.map((instruction) => instruction.getKeyword()).lastIndexOf('FROM'));
const only = (keyword: string): Instruction[] => lastStage.filter((instruction) => instruction.getKeyword() === keyword);
const execForm = (instruction: Instruction): string[] => JSON.parse(instruction.getArgumentsContent() ?? '[]') as string[];

const children: ChildProcess[] = [];
let redis: RedisServer | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.dispose();
  redis = undefined;
});

function start(command: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; line: (pattern: RegExp) => Promise<string> } {
  const [program, ...args] = command;
  const child = spawn(program === 'node' ? process.execPath : (program as string), args, { cwd: recipe, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const line = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const match = output.split('\n').find((text) => pattern.test(text));
        if (match !== undefined) resolve(match);
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.once('exit', (code) => reject(new Error(`exited ${code} before printing ${pattern}: ${output}`)));
      check();
    });
  return { child, output: () => output, line };
}

describe('the Dockerfile', () => {
  it('pins its base images, runs as a non-root user, and stops with SIGTERM in exec form', () => {
    for (const from of instructions.filter((instruction) => instruction.getKeyword() === 'FROM')) {
      expect(from.getArgumentsContent()).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim/);
    }
    expect(only('USER').map((instruction) => instruction.getArgumentsContent())).toEqual(['node']);
    expect(only('STOPSIGNAL').map((instruction) => instruction.getArgumentsContent())).toEqual(['SIGTERM']);
    expect(only('CMD')).toHaveLength(1);
    expect(execForm(only('CMD')[0] as Instruction)[0]).toBe('node');
  });

  it('starts the CLI by the path the server package publishes, and that path is its bin and its ./cli export', () => {
    const command = execForm(only('CMD')[0] as Instruction);
    const manifest = JSON.parse(readFileSync(require.resolve('@hybridcompute/server/package.json'), 'utf8')) as {
      bin: Record<string, string>;
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(command[1]).toBe(`node_modules/@hybridcompute/server/${manifest.bin['hybrid-compute-server']?.replace(/^\.\//, '')}`);
    expect(manifest.exports['./cli']).toBe(manifest.bin['hybrid-compute-server']);
    expect(manifest.files).toContain('dist');
  });

  it('copies the task module its command serves, and exposes the port the command listens on', () => {
    const command = execForm(only('CMD')[0] as Instruction);
    expect(only('COPY').some((instruction) => instruction.getArgumentsContent()?.includes('src/tasks.js'))).toBe(true);
    expect(command[2]).toBe('./src/tasks.js');
    expect(only('EXPOSE').map((instruction) => instruction.getArgumentsContent())).toEqual([command[command.indexOf('--port') + 1]]);
  });

  it("runs its command as written (port 0 for the test), serves the module's tasks, and passes its own HEALTHCHECK", async () => {
    const command = execForm(only('CMD')[0] as Instruction).map((arg, index, all) => (all[index - 1] === '--port' ? '0' : arg));
    command[1] = require.resolve('@hybridcompute/server/cli');
    const server = start(command, { HYBRIDCOMPUTE_TOKEN: 'recipe-token' });
    const ready = await server.line(/serving .* at http:/);
    expect(ready).toContain('serving 2 task(s) (checksum, double) on 2 worker threads');
    const url = new URL(/at (http:\S+)/.exec(ready)?.[1] as string);
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer recipe-token' },
      body: JSON.stringify({ task: 'double', input: 21 }),
    });
    expect(await answer.json()).toEqual({ result: 42 });

    const healthcheck = only('HEALTHCHECK')[0] as Instruction;
    const probe = JSON.parse(/CMD\s+(\[.*\])\s*$/s.exec(healthcheck.getArgumentsContent() ?? '')?.[1] ?? '[]') as string[];
    const checker = start(probe.map((arg) => arg.replace('127.0.0.1:8080', `127.0.0.1:${url.port}`)));
    await expect(new Promise((resolve) => checker.child.once('exit', resolve))).resolves.toBe(0);

    // Not child.kill(): Deno's child_process reports a child that handled the signal as killed by it (exit code null).
    process.kill(server.child.pid as number, 'SIGTERM');
    await expect(new Promise((resolve) => server.child.once('exit', resolve))).resolves.toBe(0);
    expect(server.output()).toContain('SIGTERM: draining');
  });
});

describe('compose.yaml', () => {
  it('builds the server from the Dockerfile, with an init process, and keeps Redis durable', () => {
    expect(compose.services['server']).toMatchObject({ build: '.', init: true });
    const redisCommand = (compose.services['redis']?.command ?? []).join(' ');
    expect(redisCommand).toContain('--appendonly yes');
    expect(redisCommand).toContain('--maxmemory-policy noeviction');
  });

  it('runs queued calls with its queue-worker command, against a real Redis', async () => {
    redis = await startRedisServer();
    const worker = compose.services['queue-worker'];
    expect(worker?.init).toBe(true);
    const started = start(worker?.command ?? [], { HYBRIDCOMPUTE_REDIS_URL: redis.url });
    await started.line(/queue-worker: running queue 'compute'/);
    const caller = createBullmqBackend({ connection: { host: '127.0.0.1', port: redis.port }, queue: 'compute' });
    try {
      await expect(caller.runTask('double', 8, { timeout: 20_000 })).resolves.toBe(16);
    } finally {
      await caller.close();
    }
    process.kill(started.child.pid as number, 'SIGTERM');
    await expect(new Promise((resolve) => started.child.once('exit', resolve))).resolves.toBe(0);
  });
});
