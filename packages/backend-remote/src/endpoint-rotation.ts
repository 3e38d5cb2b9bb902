import { EndpointFinishEstimates, type SentCall } from './endpoint-finish-estimates.js';
import type { RemoteLoad } from './remote-endpoint.js';

/**
 * Chooses the endpoint for each attempt: among those in rotation, the one
 * that scores highest (`score`, when given: the remote backend scores an
 * endpoint by how soon it should finish the call), ties going round in turn. An
 * endpoint that could not be reached leaves rotation for `cooldownMs`; when
 * every one is cooling down, the one that comes back first is used anyway:
 * better a try than a certain failure.
 */
export class EndpointRotation<Endpoint> {
  readonly #endpoints: readonly Endpoint[];
  readonly #downUntil: number[];
  readonly #cooldownMs: number;
  readonly #score: EndpointScore<Endpoint> | undefined;
  readonly #finish: EndpointFinishEstimates | undefined;
  #next = 0;
  #only: { readonly endpoint: Endpoint; readonly index: number; readonly sent: SentCall | undefined } | undefined;

  constructor(endpoints: readonly Endpoint[], cooldownMs: number, score?: EndpointScore<Endpoint> | EndpointFinishEstimates) {
    this.#endpoints = endpoints;
    this.#downUntil = endpoints.map(() => 0);
    this.#cooldownMs = cooldownMs;
    this.#finish = score instanceof EndpointFinishEstimates ? score : undefined;
    this.#score = score instanceof EndpointFinishEstimates ? (_endpoint, index, taskName) => score.score(index, taskName) : score;
  }

  /** A rotation that sends each call where it should finish soonest ({@link EndpointFinishEstimates}), learning from `markUp`. */
  static byExpectedFinish<Endpoint extends { readonly load: RemoteLoad }>(endpoints: readonly Endpoint[], cooldownMs: number): EndpointRotation<Endpoint> {
    return new EndpointRotation(endpoints, cooldownMs, new EndpointFinishEstimates(endpoints));
  }

  /**
   * The endpoint for the next attempt (of a call of `taskName`, when it is a
   * task's), skipping `exclude` (those this call already tried) when another is up.
   */
  pick(exclude?: ReadonlySet<number>, taskName?: string): { readonly endpoint: Endpoint; readonly index: number; readonly sent: SentCall | undefined } {
    const count = this.#endpoints.length;
    // One endpoint: nothing to choose, nothing to learn, nothing to allocate.
    if (count === 1) return (this.#only ??= Object.freeze({ endpoint: this.#endpoints[0] as Endpoint, index: 0, sent: undefined }));
    const now = Date.now();
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    let fallback = -1;
    for (let step = 0; step < count; step++) {
      const index = (this.#next + step) % count;
      const excluded = exclude?.has(index) === true;
      if (!excluded && (this.#downUntil[index] as number) <= now) {
        if (this.#score === undefined) {
          best = index;
          break;
        }
        const score = this.#score(this.#endpoints[index] as Endpoint, index, taskName);
        if (score > bestScore) {
          best = index;
          bestScore = score;
        }
        continue;
      }
      if (fallback === -1 || this.#betterFallback(index, fallback, exclude)) fallback = index;
    }
    const chosen = best === -1 ? fallback : best;
    this.#next = (chosen + 1) % count;
    return { endpoint: this.#endpoints[chosen] as Endpoint, index: chosen, sent: this.#finish?.sent(chosen) };
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

  /** Puts an endpoint back after it answered; with what `pick` said of the call, learns from its latency. */
  markUp(index: number, taskName?: string, sent?: SentCall): void {
    this.#downUntil[index] = 0;
    if (taskName !== undefined && sent !== undefined) this.#finish?.learn(index, taskName, sent);
  }

  /** Whether some endpoint other than those in `exclude` is in rotation. */
  hasOtherUp(exclude: ReadonlySet<number>): boolean {
    const now = Date.now();
    return this.#downUntil.some((until, index) => !exclude.has(index) && until <= now);
  }
}

/** How good an endpoint is for the next attempt of a call of `taskName`: higher is better. */
export type EndpointScore<Endpoint> = (endpoint: Endpoint, index: number, taskName: string | undefined) => number;
