import { ComputeError } from '@hybridcompute/core';

/**
 * The error for a call whose arguments do not fit the export: thrown from
 * `run` before the export is called, and passed through by every runner as
 * the caller's mistake, so the caller gets `INVALID_REQUEST` (a 400 over
 * HTTP) on every backend.
 */
export function wasmArgumentError(message: string): ComputeError {
  return new ComputeError({ code: 'INVALID_REQUEST', message });
}
