import { rateAvailable } from './rules.sql.js';

/**
 * Queue controls (docs/queues.md). The claim statement reads them (claim.sql.ts, `paused` and `limits`); these
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

/**
 * setQueueLimits — the limits of a queue ($3 = '') or of one type in it: $4 jobs at once, for a
 * queue $5 per concurrency key, and $6 jobs started per $7 seconds (each NULL: none). A changed
 * rate limit starts with a full bucket. Wakes the queue's claim loops, since a raised limit frees
 * slots. $1 namespace, $2 queue.
 */
export const SET_QUEUE_LIMITS = `
WITH control AS (
  INSERT INTO queue_controls AS c
    (namespace, queue, type, concurrency_limit, key_concurrency_limit, rate_limit, rate_period_seconds)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (namespace, queue, type) DO UPDATE
    SET concurrency_limit = EXCLUDED.concurrency_limit,
        key_concurrency_limit = EXCLUDED.key_concurrency_limit,
        rate_limit = EXCLUDED.rate_limit, rate_period_seconds = EXCLUDED.rate_period_seconds,
        rate_tokens = CASE WHEN (c.rate_limit, c.rate_period_seconds)
                                IS NOT DISTINCT FROM (EXCLUDED.rate_limit, EXCLUDED.rate_period_seconds)
                           THEN c.rate_tokens END,
        updated_at = now()
  RETURNING queue, type
)
SELECT pg_notify('conveyor_jobs', queue || CASE WHEN type = '' THEN '' ELSE E'\\t' || type END) FROM control`;

/**
 * queueControls — every control row of a namespace (paused, limits), with how long until the rate
 * limit lets the next job start (0: now). $1 namespace.
 */
export const QUEUE_CONTROLS = `
SELECT queue, type, paused, concurrency_limit, key_concurrency_limit, rate_limit, rate_period_seconds,
       CASE WHEN rate_limit IS NOT NULL
            THEN greatest(1 - ${rateAvailable('c')}, 0) * rate_period_seconds / rate_limit END::float8
         AS next_start_seconds
FROM queue_controls c
WHERE namespace = $1 ORDER BY queue, type`;
