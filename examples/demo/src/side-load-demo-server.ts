import { createRemoteBackend } from '@hybridcompute/backend-remote';

/**
 * Another client of the demo's server: keeps `inFlight` `countPrimes(limit)`
 * calls running there until stopped, so it holds that many of the server's
 * slots (`maxConcurrency`) and the demo's calls share the rest: they wait
 * longer there, or are refused with `QUEUE_FULL`. This is how the demo slows
 * a backend down for real, and shows the router's traffic moving away from it.
 *
 * @example
 * ```ts
 * const side = sideLoadDemoServer(server.url);
 * // ... the router's calls on the server slow down ...
 * console.log(await side.stop()); // calls the other client made
 * ```
 */
export function sideLoadDemoServer(url: string, { inFlight = 2, limit = 3_000_000 } = {}): { stop(): Promise<number> } {
  const client = createRemoteBackend({ endpoint: url });
  let stopping = false;
  let calls = 0;
  const lane = async (): Promise<void> => {
    while (!stopping) {
      calls++;
      // Its answers do not matter. Stopping waits for the call in flight rather than aborting it: an aborted
      // call can keep its slot on the server a while (Bun's fetch may not drop the connection at once), and
      // the next phase would then meet a full server.
      await client.runTask('countPrimes', limit).catch(() => undefined);
    }
  };
  const lanes = Promise.all(Array.from({ length: inFlight }, lane));
  return {
    async stop() {
      stopping = true;
      await lanes;
      await client.close();
      return calls;
    },
  };
}
