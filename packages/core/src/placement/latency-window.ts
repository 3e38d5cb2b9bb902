const windowSize = 64;

/**
 * The latest latencies of one task on one backend, for the p50 and p95 that
 * `compute.stats()` reports. A fixed ring: recording is an array write.
 *
 * @internal Used by the router; not part of the public API.
 */
export class LatencyWindow {
  readonly #values = new Float64Array(windowSize);
  #count = 0;

  add(latencyMs: number): void {
    this.#values[this.#count % windowSize] = latencyMs;
    this.#count++;
  }

  /** The `fraction` quantile (0.5, 0.95) of what the window holds; `undefined` when empty. */
  quantile(fraction: number): number | undefined {
    const held = Math.min(this.#count, windowSize);
    if (held === 0) return undefined;
    const sorted = this.#values.slice(0, held).sort();
    return sorted[Math.min(held - 1, Math.floor(fraction * held))];
  }
}
