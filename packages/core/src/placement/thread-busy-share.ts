// How fast the share follows what the thread does now.
const busyDecayMs = 100;
// The platform's reading costs about as much as a routed call: taken at most this often.
const minUtilizationIntervalMs = 5;

/**
 * The share of recent time the caller's thread was busy (0 to 1), measured
 * between timed calls. Where the platform says how busy its event loop is
 * (`performance.eventLoopUtilization`: Node, Deno, Bun), that is the measure:
 * it counts everything the thread does, the caller's own work and the later
 * turns of a local task that awaits between chunks included. Elsewhere (a
 * browser), or when the router's clock is injected (tests), it is the time
 * spent inside local runs, which the router times itself.
 *
 * @internal Used by the router; not part of the public API.
 */
export class ThreadBusyShare {
  value = 0;
  #at = Number.NaN;
  #blockedAt = 0;
  readonly #utilization: (() => number) | undefined;

  constructor(utilization: (() => number) | undefined) {
    this.#utilization = utilization;
  }

  /** Updates the share at `now`; `blockedMs` is the router's running total of time spent in local runs. */
  measure(now: number, blockedMs: number): void {
    const since = now - this.#at;
    if (this.#utilization !== undefined && since < minUtilizationIntervalMs) return;
    if (since > 0) {
      const measured = this.#utilization?.();
      const share = measured !== undefined && measured >= 0 ? measured : (blockedMs - this.#blockedAt) / since;
      const weight = 1 - Math.exp(-since / busyDecayMs);
      this.value += ((share < 1 ? share : 1) - this.value) * weight;
    }
    if (!(since <= 0)) {
      this.#at = now;
      this.#blockedAt = blockedMs;
    }
  }
}

interface EventLoopUtilization {
  idle: number;
  active: number;
  utilization: number;
}

type UtilizationOf = (current?: EventLoopUtilization, previous?: EventLoopUtilization) => EventLoopUtilization;

/**
 * The platform's event-loop utilization since the previous reading, or
 * `undefined` where it has none (browsers). No `node:` import: it is read
 * off the global `performance`, so the browser build is unchanged.
 *
 * @internal Used by the router; not part of the public API.
 */
export function eventLoopUtilizationMeter(): (() => number) | undefined {
  const utilizationOf = (globalThis.performance as { eventLoopUtilization?: UtilizationOf } | undefined)?.eventLoopUtilization;
  if (typeof utilizationOf !== 'function') return undefined;
  let previous: EventLoopUtilization;
  try {
    previous = utilizationOf.call(globalThis.performance);
    if (typeof previous?.utilization !== 'number') return undefined;
  } catch {
    return undefined;
  }
  return () => {
    const current = utilizationOf.call(globalThis.performance);
    const share = utilizationOf.call(globalThis.performance, current, previous).utilization;
    previous = current;
    return share === share ? share : -1;
  };
}
