import { createRemoteBackend } from '@hybridcompute/backend-remote';
import { createWorkerBackend } from '@hybridcompute/backend-worker';
import { createHybridCompute, messageOf, type ComputeBackendLike } from '@hybridcompute/core';
import {
  createAnswerChecker,
  createSettledRecorder,
  makeDemoBatch,
  runDemoPhase,
  warmUpDemoBackends,
  type DemoPhase,
} from '@hybridcompute/example-demo/browser';
import workerUrl from './demo.worker.ts?worker&url';
import { wirePrimesProgress } from './primes-progress.js';

// `?server=` points the page at another compute server; `pnpm demo --serve` listens on 8787.
const params = new URLSearchParams(location.search);
const defaultServer = params.get('server') ?? 'http://127.0.0.1:8787/compute';

const form = document.querySelector<HTMLFormElement>('#controls')!;
const button = document.querySelector<HTMLButtonElement>('#run')!;
const status = document.querySelector<HTMLParagraphElement>('#status')!;
const table = document.querySelector<HTMLTableElement>('#results')!;
const serverInput = document.querySelector<HTMLInputElement>('#server')!;
serverInput.value = defaultServer;

function showStatus(text: string, state: 'idle' | 'running' | 'done' | 'failed'): void {
  status.textContent = text;
  status.dataset['state'] = state;
}

function readNumber(id: string, fallback: number): number {
  const value = Number(document.querySelector<HTMLInputElement>(`#${id}`)?.value);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function showPhases(phases: DemoPhase[]): void {
  const body = table.tBodies[0]!;
  body.replaceChildren();
  for (const phase of phases) {
    for (const [backend, figures] of Object.entries(phase.byBackend)) {
      const row = body.insertRow();
      row.dataset['strategy'] = phase.strategy;
      row.dataset['backend'] = backend;
      const cells = [phase.strategy, backend, figures.tasks, phase.wrong, phase.lost, figures.p50Ms.toFixed(2), figures.p95Ms.toFixed(2), figures.tasksPerSecond.toFixed(0)];
      cells.forEach((value, index) => {
        const cell = row.insertCell();
        cell.textContent = String(value);
        if ((index === 3 || index === 4) && value !== 0) cell.className = 'bad';
      });
    }
  }
  table.hidden = phases.length === 0;
}

/** Runs the batch through the worker pool, the server, and 'auto' (each call where it should finish soonest). */
async function runBatch(): Promise<void> {
  const batchSize = readNumber('batch', 60);
  const endpoint = serverInput.value;
  button.disabled = true;
  showStatus('Starting the worker pool and reaching the server…', 'running');
  const worker = createWorkerBackend({ url: workerUrl, size: readNumber('workers', 2) });
  const remote = createRemoteBackend({ endpoint, timeout: 30_000 });
  const phases: DemoPhase[] = [];
  try {
    await worker.ready();
    let serverNote = '';
    const backends: Record<string, ComputeBackendLike> = { worker };
    try {
      await remote.connect();
      backends['remote'] = remote;
    } catch (error) {
      serverNote = ` The server at ${endpoint} could not be reached (${messageOf(error)}): start it with \`pnpm demo --serve\`.`;
    }
    const recorder = createSettledRecorder();
    const compute = createHybridCompute(backends, { order: ['worker', 'remote'].filter((name) => name in backends), onTaskSettled: recorder.onTaskSettled });
    const batch = makeDemoBatch(batchSize);
    const isRight = createAnswerChecker();
    const plan = [
      { strategy: 'worker', pixelsAs: 'transfer' as const },
      ...(backends['remote'] === undefined ? [] : [{ strategy: 'remote', pixelsAs: 'base64' as const }]),
      // Under 'auto' a call may reach the server, where JSON carries no ArrayBuffer: pixels go as text.
      { strategy: 'auto', pixelsAs: 'base64' as const },
    ];
    // Unmeasured, so that the first phase does not pay for the JIT's and the answer checker's first calls.
    showStatus('Warming up…', 'running');
    await warmUpDemoBackends({ compute, batch, strategies: plan.filter(({ strategy }) => strategy !== 'auto'), concurrency: 8, isRight });
    for (const { strategy, pixelsAs } of plan) {
      const { phase } = await runDemoPhase({
        compute,
        recorder,
        batch,
        strategy,
        pixelsAs,
        concurrency: 8,
        isRight,
        onProgress: (done, total) => showStatus(`strategy '${strategy}': ${done} of ${total}`, 'running'),
      });
      phases.push(phase);
      showPhases(phases);
    }
    const lost = phases.reduce((sum, phase) => sum + phase.lost, 0);
    const wrong = phases.reduce((sum, phase) => sum + phase.wrong, 0);
    const total = phases.reduce((sum, phase) => sum + phase.tasks + phase.lost, 0);
    showStatus(`Done: ${total - lost} of ${total} calls answered, ${wrong} wrong.${serverNote}`, lost + wrong === 0 && serverNote === '' ? 'done' : 'failed');
  } catch (error) {
    showStatus(`Failed: ${messageOf(error)}`, 'failed');
  } finally {
    await Promise.allSettled([worker.close(), remote.close()]);
    button.disabled = false;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void runBatch();
});

wirePrimesProgress(workerUrl);
