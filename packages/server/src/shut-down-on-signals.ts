import { constants } from 'node:os';
import type { CliOutput } from './cli-output.js';
import type { ComputeServer } from './create-compute-server.js';

/**
 * The CLI's lifecycle: the first SIGTERM or SIGINT drains the server
 * (`/readyz` answers 503, calls in flight finish within the drain timeout),
 * releases the backend, and exits 0, or 1 if closing failed; a second signal
 * while draining exits at once with 128 + the signal's number, as a shell
 * reports a process the signal killed.
 */
export function shutDownOnSignals(server: ComputeServer, release: () => Promise<void>, output: CliOutput): void {
  let draining = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (draining) {
      console.error(`hybrid-compute-server: ${signal} again: exiting now, without waiting for ${server.activeCalls} call(s) in flight`);
      process.exit(128 + (constants.signals[signal] ?? 0));
    }
    draining = true;
    output.info(`${signal}: draining ${server.activeCalls} call(s) in flight`, { signal, activeCalls: server.activeCalls });
    // The pool closes only after the server has drained: calls in flight still need it.
    server
      .close()
      .then(release)
      .then(
        () => {
          output.info('drained; exiting');
          process.exit(0);
        },
        (error: unknown) => {
          console.error(`hybrid-compute-server: closing failed: ${(error as Error)?.message ?? String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
