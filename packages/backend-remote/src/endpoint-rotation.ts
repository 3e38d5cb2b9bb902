/**
 * Spreads calls across endpoints in turn and takes one that failed out of
 * rotation for `cooldownMs`. When every endpoint is cooling down, the one
 * that comes back first is used anyway: better a try than a certain failure.
 */
export class EndpointRotation<Endpoint> {
  readonly #endpoints: readonly Endpoint[];
  readonly #downUntil: number[];
  readonly #cooldownMs: number;
  #next = 0;

  constructor(endpoints: readonly Endpoint[], cooldownMs: number) {
    this.#endpoints = endpoints;
    this.#downUntil = endpoints.map(() => 0);
    this.#cooldownMs = cooldownMs;
  }

  /** The endpoint for the next attempt, skipping `exclude` (those this call already tried) when another is up. */
  pick(exclude?: ReadonlySet<number>): { endpoint: Endpoint; index: number } {
    const count = this.#endpoints.length;
    if (count === 1) return { endpoint: this.#endpoints[0] as Endpoint, index: 0 };
    const now = Date.now();
    let fallback = -1;
    for (let step = 0; step < count; step++) {
      const index = (this.#next + step) % count;
      const excluded = exclude?.has(index) === true;
      if (!excluded && (this.#downUntil[index] as number) <= now) {
        this.#next = (index + 1) % count;
        return { endpoint: this.#endpoints[index] as Endpoint, index };
      }
      if (fallback === -1 || this.#betterFallback(index, fallback, exclude)) fallback = index;
    }
    this.#next = (fallback + 1) % count;
    return { endpoint: this.#endpoints[fallback] as Endpoint, index: fallback };
  }

  // Untried beats tried; then the endpoint that comes back first.
  #betterFallback(index: number, current: number, exclude: ReadonlySet<number> | undefined): boolean {
    const excluded = exclude?.has(index) === true;
    const currentExcluded = exclude?.has(current) === true;
    if (excluded !== currentExcluded) return !excluded;
    return (this.#downUntil[index] as number) < (this.#downUntil[current] as number);
  }

  /** Takes an endpoint out of rotation after a failure to reach it. */
  markDown(index: number): void {
    this.#downUntil[index] = Date.now() + this.#cooldownMs;
  }

  /** Puts an endpoint back after it answered. */
  markUp(index: number): void {
    this.#downUntil[index] = 0;
  }

  /** Whether some endpoint other than those in `exclude` is in rotation. */
  hasOtherUp(exclude: ReadonlySet<number>): boolean {
    const now = Date.now();
    return this.#downUntil.some((until, index) => !exclude.has(index) && until <= now);
  }
}
