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
