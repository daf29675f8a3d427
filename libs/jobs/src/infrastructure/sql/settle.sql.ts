import { JOB_COLUMNS } from './job-columns.js';

/**
 * Settling attempts. Each statement takes many jobs at once ($1: JSON array, one element per job)
 * and is fenced: a row changes only if it is processing under the presented lease token AND that
 * lease has not expired by the database clock. The clock is clock_timestamp(), not now(): an
 * in-process handler completes inside a transaction that may have begun long before, and now()
 * is frozen at the transaction's start. A worker whose lease ran out can no longer change
 * the job, even if nobody re-claimed it yet. Rows that fail the guard are simply not returned; the
 * caller explains them (404 / 409) from the job's current state.
 */

/** completeJobs — $1: [{ id, lease_token, result }], $2: namespace. */
export const COMPLETE_JOBS = `
UPDATE jobs j SET
  status = 'completed', result = c.result, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, lease_token uuid, result jsonb)
WHERE j.id = c.id AND j.namespace = $2
  AND j.status = 'processing' AND j.lease_token = c.lease_token AND j.lease_expires_at > clock_timestamp()
RETURNING ${JOB_COLUMNS}`;

/**
 * failJobs — $1: [{ id, lease_token, error, retryable }], $2: namespace.
 * A retryable failure with attempts left becomes `failed` and runs again at
 * now() + conveyor_backoff_delay(backoff, attempts) (formula in migration CreateJobs); anything
 * else is dead-lettered. `attempts` already counts this attempt (it is incremented at claim).
 */
export const FAIL_JOBS = `
UPDATE jobs j SET
  status = CASE WHEN f.retryable AND j.attempts < j.max_attempts THEN 'failed' ELSE 'dead_letter' END,
  run_at = CASE WHEN f.retryable AND j.attempts < j.max_attempts
                THEN now() + conveyor_backoff_delay(j.backoff, j.attempts) ELSE j.run_at END,
  last_error = f.error, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS f(id uuid, lease_token uuid, error text, retryable boolean)
WHERE j.id = f.id AND j.namespace = $2
  AND j.status = 'processing' AND j.lease_token = f.lease_token AND j.lease_expires_at > clock_timestamp()
RETURNING ${JOB_COLUMNS}`;
