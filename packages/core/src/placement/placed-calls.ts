import { allUnavailableError } from '../all-unavailable-error.js';
import { askCanRun } from '../ask-can-run.js';
import { ComputeError } from '../compute-error.js';
import { invokeBackend } from '../invoke-backend.js';
import type { AttemptCall } from './attempt-call.js';
import type { PlacementReason, RouterStats } from './placement-types.js';
import type { CallDeadline } from '../lifecycle/call-deadline.js';
import type { BackendLoad, ComputeBackendLike } from '../types.js';
import { choosePlacement, type PlacementCandidate, type PlacementChoice, type PlacementPolicy } from './choose-placement.js';
import { PlacedTask, type PlacedBackend, type PlacedPair } from './placement-records.js';
import { fillLoad } from './fill-load.js';
import { ThreadBusyShare } from './thread-busy-share.js';
import { routerLoadOf, routerStatsOf } from './router-stats-of.js';

// Every call of a task's first 16, then one in 8, is timed: the clock costs as much as the rest of a call.
const timedWarmUpCalls = 16;
const timedMask = 7;
const rareTimedMask = 31;
const rareTimingFactor = 16;
// A backend's first samples for a task are always taken, so a new backend is learned at once.
const pairWarmUpSamples = 4;
// Unseen backends are probed once the default one has answered a few calls.
const exploreAfterCalls = 8;
const reprobeAfterMs = 1_000;
const exploreSamples = 3;
const firstBackoffCalls = 16;
const maxBackoffCalls = 1_024;

/**
 * The router's `'auto'` placement and the records behind `stats()`: chooses
 * a backend per call ({@link choosePlacement}), follows the calls in flight,
 * learns run times, and moves a call on when a backend turns it away.
 *
 * @internal Used by the router; not part of the public API.
 */
export class PlacedCalls {
  readonly ordered: boolean;
  readonly #backends: readonly PlacedBackend[];
  readonly #order: readonly number[];
  readonly #candidates: PlacementCandidate[];
  readonly #choice: PlacementChoice = { index: -1, reason: 'default-order' };
  readonly #tasks = new Map<string, PlacedTask>();
  #lastTaskName: string | undefined = undefined;
  #lastTask: PlacedTask | undefined = undefined;
  readonly #policy: PlacementPolicy;
  readonly #now: () => number;
  readonly #attempt: AttemptCall;
  readonly #observed: boolean;
  readonly #carriesMore: (callId: number) => boolean;
  readonly #lastIndex: number;
  // Time the caller's thread spent running local calls: taken out of other backends' samples.
  #blockedMs = 0;
  readonly #busy: ThreadBusyShare;
  #calls = 0;

  constructor(options: {
    backends: readonly PlacedBackend[];
    order: readonly number[];
    ordered: boolean;
    /** Hooks are set: every attempt goes through `attempt`. */
    observed: boolean;
    /** Whether a call carries more than its input (an `onProgress`): then it goes through `attempt` too. */
    carriesMore: (callId: number) => boolean;
    localBudgetMs: number;
    now: () => number;
    /** The thread's event-loop utilization since the last reading, where the platform says. */
    utilization?: (() => number) | undefined;
    attempt: AttemptCall;
  }) {
    this.#busy = new ThreadBusyShare(options.utilization);
    this.#backends = options.backends;
    this.#order = options.order;
    this.ordered = options.ordered;
    this.#policy = { localBudgetMs: options.localBudgetMs, reprobeAfterMs, exploreSamples };
    this.#now = options.now;
    this.#attempt = options.attempt;
    this.#observed = options.observed;
    this.#carriesMore = options.carriesMore;
    this.#lastIndex = this.#order.length - 1;
    this.#candidates = this.#order.map(() => ({
      eligible: false,
      runTimeMs: Number.NaN,
      lastSampleAt: Number.NaN,
      samples: 0,
      ahead: 0,
      capacity: 1,
      probing: false,
      inPlace: false,
      busy: 0,
    }));
  }

  /** Runs an `'auto'` call; `undefined` when no backend in the order can run the task. */
  run(taskName: string, input: unknown, deadline: CallDeadline | undefined, callId: number): Promise<unknown> | undefined {
    const task = this.#task(taskName);
    const calls = task.calls++;
    this.#calls++;
    const sticky = task.sticky;
    if (sticky !== -1 && (calls & task.stickyMask) !== 0) {
      const placed = task.stickyBackend as PlacedBackend;
      if (askCanRun(placed.backend, taskName)) {
        if (deadline !== undefined || this.#observed || this.#carriesMore(callId)) {
          return this.#dispatch(task, sticky, 'learned', Number.NaN, taskName, input, deadline, callId, undefined, undefined);
        }
        // The common case of a task that runs in place: nothing to follow, and a refusal to move on only with a backend after it.
        const pair = task.stickyPair as PlacedPair;
        placed.calls++;
        pair.calls++;
        this.#blockedMs += pair.estimate.valueMs;
        const attempt = invokeBackend(placed.backend, taskName, input, undefined);
        return sticky === this.#lastIndex ? attempt : attempt.then(undefined, (error: unknown) => this.#moveOn(task, sticky, error, taskName, input, undefined, callId, undefined, undefined));
      }
    }
    const now = calls < timedWarmUpCalls || (calls & timedMask) === 0 ? this.#now() : Number.NaN;
    if (now === now) this.#busy.measure(now, this.#blockedMs);
    const index = this.#choose(task, taskName, undefined, calls >= exploreAfterCalls, now);
    if (index === -1) return undefined;
    const reason = this.#choice.reason;
    const chosen = this.#placedAt(index);
    if (reason === 'learned' && chosen.inPlace) {
      task.sticky = index;
      task.stickyBackend = chosen;
      const pair = task.pairs[this.#order[index] as number] as PlacedPair;
      task.stickyPair = pair;
      // Far under the budget, a task is re-timed (and its placement re-checked) one call in 32, else one in 8.
      task.stickyMask = pair.estimate.valueMs * rareTimingFactor < this.#policy.localBudgetMs ? rareTimedMask : timedMask;
    } else {
      task.sticky = -1;
    }
    return this.#dispatch(task, index, reason, now, taskName, input, deadline, callId, undefined, undefined);
  }

  /** Runs a call the caller sent to one backend by name; it is followed and learned from, never moved. */
  runExplicit(backendIndex: number, taskName: string, input: unknown, deadline: CallDeadline | undefined, callId: number): Promise<unknown> {
    const placed = this.#backends[backendIndex] as PlacedBackend;
    const pair = this.#task(taskName).pairs[backendIndex] as PlacedPair;
    placed.calls++;
    pair.calls++;
    const t0 = this.#now();
    if (placed.inPlace) {
      const attempt = this.#attempt(placed.backend, placed.name, taskName, input, deadline, callId, 'explicit');
      this.#learnInPlace(pair, t0);
      return attempt;
    }
    const scratch = { ahead: 0, capacity: 1 };
    fillLoad(scratch, placed);
    return this.#follow(placed, pair, t0, scratch.ahead, scratch.capacity, this.#attempt(placed.backend, placed.name, taskName, input, deadline, callId, 'explicit'));
  }

  /**
   * Places a stream under `'auto'` as a call, among the backends that can run the task and `stream`;
   * counted as a call and in flight until `closed()`. Not learned from: how long a stream stays open
   * is up to its reader. `undefined` when none can take it.
   */
  placeStream(taskName: string, stream: (backend: ComputeBackendLike) => boolean): { backendIndex: number; reason: PlacementReason; closed: () => void } | undefined {
    const task = this.#task(taskName);
    task.calls++;
    this.#calls++;
    for (const allowBackedOff of [false, true]) {
      this.#fill(task, taskName, undefined, allowBackedOff, stream);
      choosePlacement(this.#candidates, this.#policy, false, Number.NaN, this.#choice);
      if (this.#choice.index !== -1) break;
    }
    const index = this.#choice.index;
    if (index === -1) return undefined;
    const backendIndex = this.#order[index] as number;
    const [placed, pair] = [this.#backends[backendIndex] as PlacedBackend, task.pairs[backendIndex] as PlacedPair];
    placed.calls++;
    pair.calls++;
    placed.inFlight++;
    pair.inFlight++;
    const closed = (): void => {
      placed.inFlight--;
      pair.inFlight--;
    };
    return { backendIndex, reason: this.#choice.reason, closed };
  }

  /** The sum over the backends in the order: each one's `load()`, or the router's own count and a capacity of 1. */
  load(): BackendLoad {
    return routerLoadOf(this.#backends, this.#order);
  }

  stats(): RouterStats {
    return routerStatsOf(this.#backends, this.#tasks, this.ordered);
  }

  #task(taskName: string): PlacedTask {
    // Calls come in runs of one task: the same name is a pointer comparison, cheaper than the map.
    if (taskName === this.#lastTaskName) return this.#lastTask as PlacedTask;
    let task = this.#tasks.get(taskName);
    if (task === undefined) {
      task = new PlacedTask(this.#backends.length);
      this.#tasks.set(taskName, task);
    }
    this.#lastTaskName = taskName;
    this.#lastTask = task;
    return task;
  }

  #placedAt(orderIndex: number): PlacedBackend {
    return this.#backends[this.#order[orderIndex] as number] as PlacedBackend;
  }

  /** Fills the candidates and chooses; -1 when none can take the call. `after` is the order index of the last attempt. */
  #choose(task: PlacedTask, taskName: string, tried: boolean[] | undefined, explore: boolean, now: number): number {
    if (this.ordered) {
      // Today's first fit: the next backend in the order that can run the task.
      const from = tried === undefined ? 0 : tried.lastIndexOf(true) + 1;
      for (let index = from; index < this.#order.length; index++) {
        if (askCanRun(this.#placedAt(index).backend, taskName)) {
          this.#choice.reason = tried === undefined ? 'ordered' : 'fallback';
          this.#fillLoadAt(index);
          return index;
        }
      }
      return -1;
    }
    this.#fill(task, taskName, tried, false);
    choosePlacement(this.#candidates, this.#policy, explore, now, this.#choice);
    if (this.#choice.index === -1) {
      // Every backend that could run it is backed off after failing: better to try one than to refuse.
      this.#fill(task, taskName, tried, true);
      choosePlacement(this.#candidates, this.#policy, false, Number.NaN, this.#choice);
    }
    return this.#choice.index;
  }

  #fill(task: PlacedTask, taskName: string, tried: boolean[] | undefined, allowBackedOff: boolean, stream?: (backend: ComputeBackendLike) => boolean): void {
    const order = this.#order;
    for (let index = 0; index < order.length; index++) {
      const candidate = this.#candidates[index] as PlacementCandidate;
      const backendIndex = order[index] as number;
      const placed = this.#backends[backendIndex] as PlacedBackend;
      candidate.eligible =
        (tried === undefined || tried[index] !== true) &&
        (allowBackedOff || placed.skipUntilCall <= this.#calls) &&
        askCanRun(placed.backend, taskName) &&
        (stream === undefined || stream(placed.backend));
      if (!candidate.eligible) continue;
      const pair = task.pairs[backendIndex] as PlacedPair;
      candidate.runTimeMs = pair.estimate.valueMs;
      candidate.lastSampleAt = pair.estimate.lastSampleAt;
      candidate.samples = pair.estimate.samples;
      candidate.probing = pair.inFlight > 0;
      candidate.inPlace = placed.inPlace;
      candidate.busy = this.#busy.value;
      fillLoad(candidate, placed);
    }
  }

  #fillLoadAt(index: number): void {
    fillLoad(this.#candidates[index] as PlacementCandidate, this.#placedAt(index));
  }

  #dispatch(
    task: PlacedTask,
    index: number,
    reason: PlacementReason,
    t0: number,
    taskName: string,
    input: unknown,
    deadline: CallDeadline | undefined,
    callId: number,
    tried: boolean[] | undefined,
    failures: ComputeError[] | undefined,
  ): Promise<unknown> {
    const placed = this.#placedAt(index);
    const pair = task.pairs[this.#order[index] as number] as PlacedPair;
    placed.calls++;
    pair.calls++;
    if (t0 !== t0 && pair.estimate.samples < pairWarmUpSamples) t0 = this.#now();
    if (placed.inPlace) {
      // The choice itself is not the task's run time: on the thread, time the run alone.
      if (t0 === t0) t0 = this.#now();
      const attempt = this.#attempt(placed.backend, placed.name, taskName, input, deadline, callId, reason);
      if (t0 === t0) {
        this.#learnInPlace(pair, t0);
      } else {
        const expected = pair.estimate.valueMs;
        if (expected === expected) this.#blockedMs += expected;
      }
      // Nothing left to move the call on to: the attempt is the answer, with no promise of ours on top.
      if (index === this.#order.length - 1 && failures === undefined) return attempt;
      return attempt.then(undefined, (error: unknown) => this.#moveOn(task, index, error, taskName, input, deadline, callId, tried, failures));
    }
    const candidate = this.#candidates[index] as PlacementCandidate;
    const ahead = candidate.ahead;
    const capacity = candidate.capacity;
    placed.inFlight++;
    pair.inFlight++;
    const blockedAt = this.#blockedMs;
    const attempt =
      deadline === undefined && !this.#observed && !this.#carriesMore(callId)
        ? invokeBackend(placed.backend, taskName, input, undefined)
        : this.#attempt(placed.backend, placed.name, taskName, input, deadline, callId, reason);
    return attempt.then(
      (value) => {
        this.#succeededOffThread(placed, pair, t0, blockedAt, ahead, capacity);
        return value;
      },
      (error: unknown) => {
        this.#failedOffThread(placed, pair);
        return this.#moveOn(task, index, error, taskName, input, deadline, callId, tried, failures);
      },
    );
  }

  /** An attempt off the caller's thread answered: it leaves the counts, and its latency is a sample. */
  #succeededOffThread(placed: PlacedBackend, pair: PlacedPair, t0: number, blockedAt: number, ahead: number, capacity: number): void {
    placed.inFlight--;
    pair.inFlight--;
    placed.backoffCalls = 0;
    if (t0 === t0) this.#learnOffThread(pair, t0, blockedAt, ahead, capacity);
  }

  /** An attempt off the caller's thread failed: it leaves the counts as a failure. */
  #failedOffThread(placed: PlacedBackend, pair: PlacedPair): void {
    placed.inFlight--;
    pair.inFlight--;
    placed.failures++;
    pair.failures++;
  }

  #learnOffThread(pair: PlacedPair, t0: number, blockedAt: number, ahead: number, capacity: number): void {
    const t2 = this.#now();
    const latency = t2 - t0;
    pair.latencies.add(latency);
    // The answer waited while this thread ran local calls, and behind the calls ahead of it there.
    let sample = latency - (this.#blockedMs - blockedAt);
    const waiting = ahead + 1 - capacity;
    if (waiting > 0) sample /= 1 + waiting / capacity;
    pair.estimate.observe(sample, t2);
  }

  /** Follows an explicit attempt off the caller's thread: in-flight counts, and its sample. */
  #follow(placed: PlacedBackend, pair: PlacedPair, t0: number, ahead: number, capacity: number, attempt: Promise<unknown>): Promise<unknown> {
    placed.inFlight++;
    pair.inFlight++;
    const blockedAt = this.#blockedMs;
    return attempt.then(
      (value) => {
        this.#succeededOffThread(placed, pair, t0, blockedAt, ahead, capacity);
        return value;
      },
      (error: unknown) => {
        this.#failedOffThread(placed, pair);
        throw error;
      },
    );
  }

  /**
   * A local run: the time it held the thread is its sample, and its latency
   * as far as stats go (the rest is a turn of the microtask queue; following
   * it would cost a promise a call).
   */
  #learnInPlace(pair: PlacedPair, t0: number): void {
    const t1 = this.#now();
    const held = t1 - t0;
    pair.estimate.observe(held, t1);
    pair.latencies.add(held);
    this.#blockedMs += held;
  }

  #moveOn(
    task: PlacedTask,
    index: number,
    error: unknown,
    taskName: string,
    input: unknown,
    deadline: CallDeadline | undefined,
    callId: number,
    tried: boolean[] | undefined,
    failures: ComputeError[] | undefined,
  ): Promise<unknown> {
    if (!ComputeError.isInstance(error) || deadline?.expired !== undefined) throw error;
    // QUEUE_FULL and BACKEND_UNAVAILABLE both mean the call never started there. 'ordered' moves on only for the latter.
    const unavailable = error.code === 'BACKEND_UNAVAILABLE';
    if (!unavailable && (this.ordered || error.code !== 'QUEUE_FULL')) throw error;
    if (unavailable && !this.ordered) this.#backOff(this.#placedAt(index));
    const triedNow = tried ?? this.#order.map(() => false);
    triedNow[index] = true;
    const failed = failures === undefined ? [error] : [...failures, error];
    const next = this.#choose(task, taskName, triedNow, false, Number.NaN);
    if (next === -1) throw failed.length === 1 ? error : allUnavailableError(taskName, failed);
    const reason = this.ordered || unavailable ? 'fallback' : 'spill-over';
    return this.#dispatch(task, next, reason, Number.NaN, taskName, input, deadline, callId, triedNow, failed);
  }

  /** After BACKEND_UNAVAILABLE, 'auto' leaves the backend out for a while: 16 calls, doubling while it stays down. */
  #backOff(placed: PlacedBackend): void {
    if (placed.skipUntilCall > this.#calls) return;
    placed.backoffCalls = Math.min(maxBackoffCalls, Math.max(firstBackoffCalls, placed.backoffCalls * 2));
    placed.skipUntilCall = this.#calls + placed.backoffCalls;
  }
}
