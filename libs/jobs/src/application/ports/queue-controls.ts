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
   * Sets the concurrency limits of a whole queue (`type` null) or of one type in it (null: none);
   * `perKey` only for a whole queue. Wakes the queue's claimers.
   */
  setLimits(
    namespace: string,
    queue: string,
    type: string | null,
    concurrency: number | null,
    perKey: number | null,
  ): Promise<void>;
}
