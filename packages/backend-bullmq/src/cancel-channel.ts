/** Why a caller cancels a job: its signal aborted, or its deadline passed. */
export type CancelCode = 'TASK_ABORTED' | 'TASK_TIMEOUT';

/** What a caller publishes to tell the workers to stop a job. */
export interface CancelMessage {
  jobId: string;
  code: CancelCode;
  /**
   * When the caller sent it (milliseconds since the epoch). A job created
   * after this is a new job under the same id (an idempotency key used
   * again), which the request does not concern.
   */
  sentAt?: number | undefined;
}

/**
 * The Redis pub/sub channel on which callers ask workers to stop a running
 * job. BullMQ's `worker.cancelJob` only reaches jobs in its own process, so
 * the request travels through Redis to every worker of the queue.
 */
export function cancelChannelOf(prefix: string, queue: string): string {
  return `${prefix}:${queue}:hybridcompute:cancel`;
}

/** Reads a message from the cancel channel; anything else is `undefined`. */
export function parseCancelMessage(text: string): CancelMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { jobId, code, sentAt } = value as { jobId?: unknown; code?: unknown; sentAt?: unknown };
  if (typeof jobId !== 'string' || (code !== 'TASK_ABORTED' && code !== 'TASK_TIMEOUT')) return undefined;
  return typeof sentAt === 'number' && Number.isFinite(sentAt) ? { jobId, code, sentAt } : { jobId, code };
}
