import { JOB_COLUMNS } from './job-columns.js';

/**
 * Operator actions on one job. The handler has already asked the aggregate whether the move is
 * legal from the status it read ($3); the `status = $3` guard makes the write fail if the job moved
 * on in between, which the handler reports as 409 rather than overwriting.
 */

/** cancelJob — $1 id, $2 namespace, $3 expected current status. */
export const CANCEL_JOB = `
UPDATE jobs j SET status = 'cancelled', updated_at = now()
WHERE j.id = $1 AND j.namespace = $2 AND j.status = $3
RETURNING ${JOB_COLUMNS}`;

/** retryJob — back to pending, due now, with a fresh attempt budget. $1 id, $2 namespace, $3 expected status. */
export const RETRY_JOB = `
UPDATE jobs j SET status = 'pending', attempts = 0, run_at = now(), worker_id = NULL, updated_at = now()
WHERE j.id = $1 AND j.namespace = $2 AND j.status = $3
RETURNING ${JOB_COLUMNS}`;

/**
 * redriveDeadLetters — dead-lettered jobs matching the filters back to pending, due now, with a
 * fresh attempt budget; at most $9 per call (the caller loops), so no statement holds many locks.
 * $1 namespace, $2 queue, $3 type, $4 error text, $5 / $6 min / max age in seconds, $7 ids (uuid[]),
 * each NULL for "any"; $8 batch size.
 */
export const REDRIVE_DEAD_LETTERS = `
WITH picked AS (
  SELECT id FROM jobs
  WHERE namespace = $1 AND status = 'dead_letter'
    AND ($2::text IS NULL OR queue = $2)
    AND ($3::text IS NULL OR type = $3)
    AND ($4::text IS NULL OR strpos(lower(last_error), lower($4)) > 0)
    AND ($5::integer IS NULL OR updated_at <= now() - make_interval(secs => $5))
    AND ($6::integer IS NULL OR updated_at >= now() - make_interval(secs => $6))
    AND ($7::uuid[] IS NULL OR id = ANY ($7::uuid[]))
  LIMIT $8
  FOR UPDATE SKIP LOCKED
)
UPDATE jobs j SET status = 'pending', attempts = 0, run_at = now(), worker_id = NULL, updated_at = now()
FROM picked WHERE j.id = picked.id`;
