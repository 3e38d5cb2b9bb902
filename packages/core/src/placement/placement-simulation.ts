import { ComputeError } from '../compute-error.js';
import { createHybridCompute } from '../create-hybrid-compute.js';
import type { HybridComputeOptions, TaskStartEvent } from '../hybrid-compute-types.js';
import type { ComputeBackendLike } from '../types.js';

// Placement under virtual time: every duration is scripted and the router's clock is the test's, so
// the learning gets a fixed input. `runAll` fires the scripted completions in time order and lets the
// promise callbacks of each run before the next.

export class VirtualClock {
  now = 0;
  readonly #due: { at: number; order: number; fire: () => void }[] = [];
  #order = 0;

  at(delayMs: number, fire: () => void): void {
    this.#due.push({ at: this.now + delayMs, order: this.#order++, fire });
  }

  async runAll(): Promise<void> {
    await settleCallbacks();
    while (this.#due.length > 0) {
      this.#due.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.#due.shift()!;
      this.now = Math.max(this.now, next.at);
      next.fire();
      await settleCallbacks();
    }
  }
}

export const settleCallbacks = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface MachineOptions {
  capacity: number;
  /** Service time of the n-th call it starts (from 0). */
  serviceMs: number | ((started: number) => number);
  /** Calls it may queue beyond capacity; past that it answers QUEUE_FULL. Default unbounded. */
  queueLimit?: number;
  /** Reports load(): default true. */
  reportsLoad?: boolean;
  /**
   * Of the calls it admits (`capacity`), how many make progress at once: the rest wait inside it, as
   * a worker takes several calls to hide its round trip but runs one synchronous task at a time.
   * Default: capacity. Reported as load().parallelism when `reportsParallelism` is set.
   */
  runsAtOnce?: number;
  reportsParallelism?: boolean;
  tasks?: readonly string[];
}

/** A backend off the caller's thread: `capacity` slots, a queue, scripted service times. */
export function simulatedMachine(clock: VirtualClock, name: string, options: MachineOptions) {
  let running = 0;
  let progressing = 0;
  let started = 0;
  const queue: (() => void)[] = [];
  const inside: (() => void)[] = [];
  const runsAtOnce = options.runsAtOnce ?? options.capacity;
  const service = typeof options.serviceMs === 'number' ? () => options.serviceMs as number : options.serviceMs;
  const machine: ComputeBackendLike & { served: number; down: boolean } = {
    served: 0,
    down: false,
    canRun: (taskName) => options.tasks === undefined || options.tasks.includes(taskName),
    runTask: (taskName: string, input: unknown) =>
      new Promise((resolve, reject) => {
        if (machine.down) {
          reject(new ComputeError({ code: 'BACKEND_UNAVAILABLE', message: `${name} is down`, taskName, backend: name }));
          return;
        }
        if (running >= options.capacity && queue.length >= (options.queueLimit ?? Number.POSITIVE_INFINITY)) {
          reject(new ComputeError({ code: 'QUEUE_FULL', taskName, backend: name }));
          return;
        }
        const start = () => {
          running++;
          const serve = () => {
            progressing++;
            clock.at(service(started++), () => {
              running--;
              progressing--;
              machine.served++;
              resolve(input);
              inside.shift()?.();
              queue.shift()?.();
            });
          };
          if (progressing < runsAtOnce) serve();
          else inside.push(serve);
        };
        if (running < options.capacity) start();
        else queue.push(start);
      }),
  };
  if (options.reportsLoad !== false) {
    const parallelism = options.reportsParallelism === true ? { parallelism: runsAtOnce } : {};
    machine.load = () => ({ inFlight: running, capacity: options.capacity, queued: queue.length, ...parallelism });
  }
  return machine;
}

/**
 * The calling thread: a run holds the (virtual) clock for its duration, then answers, at once or,
 * with `answerOnNextTurn`, on the next turn of the loop (so answers from elsewhere are read between).
 */
export function simulatedLocal(clock: VirtualClock, runMs: number, { answerOnNextTurn = false } = {}) {
  const local = {
    served: 0,
    canRun: () => true,
    runTask: (_taskName: string, input: unknown) => {
      clock.now += runMs;
      local.served++;
      if (!answerOnNextTurn) return Promise.resolve(input);
      return new Promise((resolve) => clock.at(0, () => resolve(input)));
    },
  };
  return local;
}

export function routerOver(clock: VirtualClock, backends: Record<string, ComputeBackendLike>, options: HybridComputeOptions = {}) {
  const starts: TaskStartEvent[] = [];
  const compute = createHybridCompute(backends, { now: () => clock.now, onTaskStart: (event) => starts.push(event), ...options });
  return { compute, starts };
}

/** Runs `total` calls of task 't' with `concurrency` in flight; resolves when all settled, with their outcomes. */
export async function runBatch(clock: VirtualClock, compute: { runTask(taskName: string, input: unknown): Promise<unknown> }, total: number, concurrency: number) {
  const outcomes: ('ok' | string)[] = [];
  let next = 0;
  const startOne = (): void => {
    if (next >= total) return;
    const index = next++;
    compute.runTask('t', index).then(
      () => {
        outcomes[index] = 'ok';
        startOne();
      },
      (error: unknown) => {
        outcomes[index] = (error as ComputeError).code ?? String(error);
        startOne();
      },
    );
  };
  for (let n = 0; n < concurrency; n++) startOne();
  await clock.runAll();
  return outcomes;
}

export const countBy = (starts: readonly TaskStartEvent[], backend: string) => starts.filter((event) => event.backend === backend).length;
