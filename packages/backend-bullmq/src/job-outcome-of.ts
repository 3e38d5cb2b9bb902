/**
 * What Redis holds about a job, read as four fields of its hash
 * (`timestamp`, `finishedOn`, `returnvalue`, `failedReason`; four, not the
 * whole job, since a backlog of jobs with big inputs is rechecked often).
 */
export type JobOutcome =
  | { readonly kind: 'gone' }
  | { readonly kind: 'unfinished' }
  | { readonly kind: 'completed'; readonly returnvalue: unknown }
  | { readonly kind: 'failed'; readonly failedReason: string };

const gone: JobOutcome = { kind: 'gone' };
const unfinished: JobOutcome = { kind: 'unfinished' };

/**
 * Reads a job's outcome from the fields `HMGET key timestamp finishedOn
 * returnvalue failedReason` answers. Every job has a `timestamp` from the
 * moment it is added: without one, the job is gone. A stored return value
 * that is not JSON reads as `undefined` (which its calls report as a
 * `PROTOCOL_ERROR`).
 */
export function jobOutcomeOf(fields: readonly (string | null | undefined)[]): JobOutcome {
  const [timestamp, finishedOn, returnvalue, failedReason] = fields;
  if (timestamp === null || timestamp === undefined) return gone;
  if (!finishedOn) return unfinished;
  // A job retried after a failure keeps its last failedReason when it then completes: the return value decides.
  if (typeof returnvalue !== 'string' && failedReason) return { kind: 'failed', failedReason };
  return { kind: 'completed', returnvalue: typeof returnvalue === 'string' ? parseOrUndefined(returnvalue) : undefined };
}

function parseOrUndefined(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return undefined;
  }
}
