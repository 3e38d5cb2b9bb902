// Gives every test file a Redis: the one HYBRIDCOMPUTE_REDIS_URL names, or a redis-server started here.
import type { TestProject } from 'vitest/node';
import { startRedisServer, type RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: RedisServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const url = process.env['HYBRIDCOMPUTE_REDIS_URL'];
  if (url !== undefined && url !== '') {
    project.provide('redisUrl', url);
    return;
  }
  server = await startRedisServer();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.dispose();
}
