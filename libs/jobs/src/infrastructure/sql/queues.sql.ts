/**
 * Queue controls (docs/queues.md). The claim statement reads them (rules.sql.ts notPaused); these
 * write and list them.
 */

/**
 * setQueuePaused — pauses or resumes a queue ($3 = '') or one type in it ($3). A resume wakes the
 * claim loops of that queue (or type) on every instance, with the NOTIFY a new job sends.
 * $1 namespace, $2 queue, $3 type or '', $4 paused.
 */
export const SET_QUEUE_PAUSED = `
WITH control AS (
  INSERT INTO queue_controls (namespace, queue, type, paused) VALUES ($1, $2, $3, $4)
  ON CONFLICT (namespace, queue, type) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()
  RETURNING queue, type, paused
)
SELECT CASE WHEN NOT paused
            THEN pg_notify('conveyor_jobs', queue || CASE WHEN type = '' THEN '' ELSE E'\\t' || type END)
       END
FROM control`;

/** pausedQueues — what is paused in a namespace: whole queues (type '') and types. $1 namespace. */
export const PAUSED_QUEUES = `
SELECT queue, type FROM queue_controls WHERE namespace = $1 AND paused ORDER BY queue, type`;
