import { randomUUID } from 'node:crypto';

/**
 * The job id for an idempotency key. BullMQ refuses ids that contain ':' or
 * look like integers; the task's name keeps two tasks' keys apart.
 *
 * @example
 * ```ts
 * await queued.runTask('charge', { orderId: 17, cents: 500 }, { idempotencyKey: 'order:17' });
 * const job = await queued.queue.getJob(jobIdFor('charge', 'order:17')); // 'idem/charge/order%3A17'
 * console.log(await job?.getState()); // 'completed'
 * ```
 */
export function jobIdFor(taskName: string, key: string): string {
  return `idem/${escapeJobIdPart(taskName)}/${escapeJobIdPart(key)}`;
}

/** The job id of a call: from its idempotency key, or a fresh UUID (which is never an integer and has no ':'). */
export function jobIdOfCall(taskName: string, key: string | undefined): string {
  return key === undefined ? randomUUID() : jobIdFor(taskName, key);
}

function escapeJobIdPart(part: string): string {
  return part.replace(/[%:/]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}
