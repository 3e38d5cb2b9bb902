import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { messageOf } from '@hybridcompute/core';
import type { CountPrimesProgress } from '@hybridcompute/example-demo/tasks';

/**
 * The page's long task: the demo's `countPrimes` on a module Web Worker, its
 * progress (`ctx.progress` in the worker, `onProgress` here) drawn live in a
 * `<progress>` bar as a percentage.
 *
 * @param workerUrl - the pool's worker file (the demo's tasks).
 */
export function wirePrimesProgress(workerUrl: string): void {
  const form = document.querySelector<HTMLFormElement>('#primes')!;
  const button = document.querySelector<HTMLButtonElement>('#primes-run')!;
  const bar = document.querySelector<HTMLProgressElement>('#primes-progress')!;
  const status = document.querySelector<HTMLSpanElement>('#primes-status')!;
  const show = (text: string, state: 'idle' | 'running' | 'done' | 'failed'): void => {
    status.textContent = text;
    status.dataset['state'] = state;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const limit = Number(document.querySelector<HTMLInputElement>('#primes-limit')?.value);
      if (!Number.isInteger(limit) || limit < 2) {
        show('Give a whole number of at least 2.', 'failed');
        return;
      }
      button.disabled = true;
      bar.value = 0;
      show(`Counting the primes below ${limit} on a worker…`, 'running');
      const worker = createWorkerBackend({ url: workerUrl, size: 1 });
      try {
        await worker.ready();
        const onProgress = (value: unknown): void => {
          const { checked, primes } = value as CountPrimesProgress;
          bar.value = Math.round((100 * checked) / limit);
          show(`${checked} of ${limit} checked, ${primes} primes so far…`, 'running');
        };
        const primes = await worker.runTask('countPrimes', limit, { onProgress });
        show(`${String(primes)} primes below ${limit}.`, 'done');
      } catch (error) {
        show(`Failed: ${messageOf(error)}`, 'failed');
      } finally {
        await worker.close();
        button.disabled = false;
      }
    })();
  });
}
