import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DemoRuntime } from './relaunch-on-runtime.js';

/** Where the npm packages `bun` and `deno` put their real binaries, inside their package folder. */
const binaryInPackage: Record<Exclude<DemoRuntime, 'node'>, string> = {
  bun: join('bun', 'bin', 'bun.exe'),
  deno: join('deno', process.platform === 'win32' ? 'deno.exe' : 'deno'),
};

/**
 * The command that starts `runtime`: the binary of the pinned npm package,
 * from the nearest `node_modules` at or above `fromDirectory`, else the name,
 * for PATH. Not the npm package's launcher on PATH (`node_modules/.bin/deno`):
 * Deno's is a Node script that runs the binary with `spawnSync` and passes no
 * signal on, so a SIGTERM sent to the demo would stop the launcher and leave
 * Deno's demo running.
 */
export function runtimeExecutable(runtime: DemoRuntime, fromDirectory: string): string {
  if (runtime === 'node') return runtime;
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const binary = join(directory, 'node_modules', binaryInPackage[runtime]);
    if (existsSync(binary)) return binary;
    if (dirname(directory) === directory) return runtime;
  }
}
