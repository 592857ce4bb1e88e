import { createHash } from 'node:crypto';

/** The one BullMQ queue every coordinator adds episodes to and every worker takes them from. */
export const QUEUE_NAME = 'envscale-episodes';

/**
 * The job of one trial of one task in one run. Deterministic, so adding it again (a rerun, a
 * restarted coordinator) finds the job already there instead of a second one. Task ids are
 * hashed: BullMQ ids may not contain ':' or be integers.
 */
export function episodeJobId(runKey: string, taskId: string, trial: number): string {
  return `${runKey.slice(0, 16)}-${createHash('sha256').update(taskId).digest('hex').slice(0, 12)}-${trial}`;
}
