// A WorkerPlatform whose "workers" serve their tasks in this thread, over a
// real MessageChannel with the real worker side (exposeTasksOn, comlink's
// expose): what the unit tests of the channel and the fleet run on, so that
// they see every message and decide when a worker exits. The pool's tests on
// real threads are test/*.test.ts.
import type { TaskCollection } from '@hybridcompute/core';
import { exposeTasksOn } from '../src/expose-tasks-on.js';
import type { SpawnedWorker, WorkerLifecycle, WorkerPlatform } from '../src/worker-platform.js';

/** One worker of a {@link SameThreadPlatform}. */
export interface SameThreadWorker {
  readonly url: string;
  /** Every request the pool sent it, in order (comlink `APPLY` messages and the pool's own). */
  readonly received: Record<string, unknown>[];
  /** The worker stops on its own with `error`, as a crashed thread would. */
  exit(error: Error): void;
  terminated: boolean;
}

export interface SameThreadPlatform extends WorkerPlatform {
  readonly workers: SameThreadWorker[];
}

/**
 * @param behaviour - by worker url: `'serve'` exposes `tasks` (the default),
 *   `'silent'` never calls exposeTasks, `'throw'` makes spawn itself throw.
 */
export function sameThreadPlatform(tasks: TaskCollection, behaviour: Record<string, 'serve' | 'silent' | 'throw'> = {}): SameThreadPlatform {
  const workers: SameThreadWorker[] = [];
  return {
    workers,
    defaultSize: () => 2,
    spawn(url, _options, lifecycle: WorkerLifecycle): SpawnedWorker {
      const kind = behaviour[String(url)] ?? 'serve';
      if (kind === 'throw') throw new Error(`cannot start ${String(url)}`);
      const { port1: inside, port2: outside } = new MessageChannel();
      const worker: SameThreadWorker = {
        url: String(url),
        received: [],
        terminated: false,
        exit(error) {
          if (worker.terminated) return;
          worker.terminated = true;
          inside.close();
          outside.close();
          lifecycle.onExit(error);
        },
      };
      workers.push(worker);
      inside.addEventListener('message', (event) => worker.received.push(event.data as Record<string, unknown>));
      if (kind === 'serve') exposeTasksOn(inside, tasks);
      inside.start();
      return {
        endpoint: outside,
        terminate: async () => {
          worker.terminated = true;
          inside.close();
          outside.close();
        },
      };
    },
  };
}
