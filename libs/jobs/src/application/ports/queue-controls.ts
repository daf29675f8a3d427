import type { QueueLimits } from '../commands/set-queue-limits/set-queue-limits.command.js';

/**
 * The queue-control port (docs/queues.md): what is paused. Claims obey it inside their own
 * statement (the lifecycle port's adapter reads the same table); this port only changes it.
 */
export const QUEUE_CONTROLS = Symbol('QUEUE_CONTROLS');

export interface QueueControls {
  /**
   * Pauses or resumes a whole queue (`type` null) or one type in it. A resume wakes the queue's
   * claimers on every instance.
   */
  setPaused(namespace: string, queue: string, type: string | null, paused: boolean): Promise<void>;
  /**
   * Sets the limits of a whole queue (`type` null) or of one type in it (each null: none); `perKey`
   * only for a whole queue. A changed rate limit starts with a full bucket. Wakes the queue's claimers.
   */
  setLimits(namespace: string, queue: string, type: string | null, limits: QueueLimits): Promise<void>;
}
