// A function, so that TypeScript does not keep a narrowing of `aborted` across an await.
export function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

// Waits `ms`, or less when `signal` or `closing` aborts first.
export function sleep(ms: number, signal: AbortSignal | undefined, closing: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      closing.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    closing.addEventListener('abort', done, { once: true });
  });
}
