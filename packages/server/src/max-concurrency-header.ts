/**
 * The response header (every HTTP response, the WebSocket upgrade's 101
 * included) that advertises the server's `maxConcurrency`, so a client that
 * multiplexes calls on one WebSocket holds back what the server would
 * refuse. Protocol decision 2 in docs/architecture.md.
 */
export const maxConcurrencyHeader = 'x-compute-max-concurrency';
