import { randomUUID } from 'node:crypto';

/** A queue name no other test uses, so that no test sees another's jobs. */
export function uniqueQueueName(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
