import { JOB_COLUMNS } from './job-columns.js';
import { attemptsLeft, heldByLock, heldUnder } from './rules.sql.js';

/**
 * Settling attempts. Each statement takes many jobs at once ($1: JSON array, one element per job)
 * and is fenced (rules.sql.ts heldUnder): a row changes only if it is processing under the
 * presented lease token and that lease has not expired by the database clock. A worker whose lease
 * ran out can no longer change the job, even if nobody re-claimed it yet. Rows that fail the guard
 * are not returned; the caller explains them (404 / 409 / a replay of this lease's own settlement)
 * from the job's state, which records the lease that settled it (last_lease_token, last_lease_end).
 */

type Fence = (j: string, token: string) => string;

/** completeJobs — $1: [{ id, lease_token, result }], $2: namespace. */
const completeJobs = (fence: Fence): string => `
UPDATE jobs j SET
  status = 'completed', result = c.result, lease_token = NULL, lease_expires_at = NULL,
  last_lease_token = j.lease_token, last_lease_end = 'completed', updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, lease_token uuid, result jsonb)
WHERE j.id = c.id AND j.namespace = $2 AND ${fence('j', 'c.lease_token')}
RETURNING ${JOB_COLUMNS}`;

/**
 * failJobs — $1: [{ id, lease_token, error, retryable }], $2: namespace.
 * A retryable failure with an attempt left becomes `failed` and runs again at
 * now() + conveyor_backoff_delay(backoff, attempts) (formula in migration CreateJobs); anything
 * else is dead-lettered.
 */
const failJobs = (fence: Fence): string => `
UPDATE jobs j SET
  status = CASE WHEN f.retryable AND ${attemptsLeft('j')} THEN 'failed' ELSE 'dead_letter' END,
  run_at = CASE WHEN f.retryable AND ${attemptsLeft('j')}
                THEN now() + conveyor_backoff_delay(j.backoff, j.attempts) ELSE j.run_at END,
  last_error = f.error, lease_token = NULL, lease_expires_at = NULL,
  last_lease_token = j.lease_token, last_lease_end = 'failed', updated_at = now()
FROM jsonb_to_recordset($1::jsonb) AS f(id uuid, lease_token uuid, error text, retryable boolean)
WHERE j.id = f.id AND j.namespace = $2 AND ${fence('j', 'f.lease_token')}
RETURNING ${JOB_COLUMNS}`;

export const COMPLETE_JOBS = completeJobs(heldUnder);
export const FAIL_JOBS = failJobs(heldUnder);

/**
 * The same, inside an in-process handler's transaction that locked the job's row under its live
 * lease (LOCK_HELD_JOB): fenced by the token alone (rules.sql.ts heldByLock), so a transaction that
 * outlives its lease still settles the job it has held all along.
 */
export const COMPLETE_LOCKED_JOBS = completeJobs(heldByLock);
export const FAIL_LOCKED_JOBS = failJobs(heldByLock);
