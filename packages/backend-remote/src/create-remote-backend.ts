import { invalidArgumentError, type BackendTasksFrom, type TypedBackend } from '@hybridcompute/core';
import { runsOnBun } from './bun-remote-platform.js';
import type { RemoteBackendOptions } from './remote-backend-options.js';
import { RemoteBackend } from './remote-backend.js';
import { runtimeRemotePlatform } from './runtime-remote-platform.js';

/**
 * Creates a backend that runs tasks on compute servers: HTTP on undici's
 * keep-alive pools (the default) or a multiplexed WebSocket (`ws`). On Bun, whose
 * `undici` is a partial copy, HTTP goes through Bun's `fetch`.
 *
 * @throws TypeError (code `INVALID_REQUEST`) for a missing or malformed endpoint or option.
 *
 * The backend carries task types for the router: those of the type argument
 * (`createRemoteBackend<typeof tasks>`, with `import type * as tasks`: the
 * tasks run on the server, so the client loads none of their code), or else
 * the names in `tasks` with `unknown` inputs and outputs. With neither, it
 * carries none, and a router using it takes any task name.
 *
 * @typeParam Tasks - optional: `typeof tasks` of the module the servers serve.
 * @typeParam Declared - inferred from `tasks`.
 *
 * @example
 * ```ts
 * import { createRemoteBackend } from '@hybridcompute/backend-remote';
 *
 * const remote = createRemoteBackend({ endpoint: 'http://127.0.0.1:8080/compute', token, timeout: 5_000 });
 * await remote.connect(); // canRun now knows the server's tasks, and the client its admission limit
 * const compute = createHybridCompute({ local, remote });
 * ```
 */
export function createRemoteBackend<Tasks = never, const Declared extends readonly string[] = readonly string[]>(
  options: RemoteBackendOptions<Declared>,
): TypedBackend<RemoteBackend, BackendTasksFrom<Tasks, Declared>> {
  if (runsOnBun && (options as { dispatcher?: unknown } | null)?.dispatcher !== undefined) {
    throw invalidArgumentError("createRemoteBackend: dispatcher is for Node's undici; on Bun, HTTP goes through Bun's fetch: give tls { ca, cert, key } instead");
  }
  return new RemoteBackend(options, runtimeRemotePlatform);
}
