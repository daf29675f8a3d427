import { JOB_COLUMNS } from './job-columns.js';
import { attemptsLeft, leaseExpired, notPaused } from './rules.sql.js';

/**
 * claimJobs — hands up to $4 jobs of one queue to one caller, each job to exactly one caller.
 *
 *   $1 namespace, $2 queue, $3 types (text[] or NULL for any), $4 limit,
 *   $5 lease seconds, $6 worker id
 *
 * FOR UPDATE SKIP LOCKED lets concurrent claimers walk past each other's rows instead of queueing
 * on them; the row lock is re-checked against the WHERE clause after it is taken, so a row another
 * claimer changed meanwhile is skipped. Two sources, each read from its own partial index:
 *   expired — processing jobs whose lease ran out (their worker is presumed dead). Re-claiming one
 *             is a new attempt; if no attempt is left it goes to dead_letter instead and is not
 *             handed out. Either way its old lease is recorded as expired.
 *   due     — pending jobs, and failed jobs whose retry time has come, in priority order.
 * Attempts are counted here, at claim time, so a job that crashes its worker every time still
 * reaches dead_letter. Neither source takes a job whose queue or type is paused (notPaused): a
 * paused queue's expired leases are left to the reaper. Every row taken is returned: `status` tells the claimed from the
 * dead-lettered, `reclaimed` marks a new attempt after an expired lease.
 *
 * Both sources are limited by the plain parameter $4, never by an expression: the planner sizes
 * the UPDATE's join by those limits, and it takes a LIMIT it cannot evaluate for 10 % of the
 * rows that match. Once ANALYZE had seen a backlog of 100,000 jobs, an expression limit on `due`
 * made it expect 8,000 rows and hash-join them against a sequential scan of the whole table, on
 * every claim. So `due` locks up to $4 jobs and `picked` trims them to the slots the expired ones
 * leave; the few it locks but does not take are free again when the statement commits.
 */
export const CLAIM_JOBS = `
WITH expired AS (
  SELECT id, NOT (${attemptsLeft('jobs')}) AS exhausted FROM jobs
  WHERE namespace = $1 AND queue = $2 AND status = 'processing' AND ${leaseExpired('jobs')}
    AND ($3::text[] IS NULL OR type = ANY ($3::text[])) AND ${notPaused('jobs')}
  ORDER BY lease_expires_at
  LIMIT $4
  FOR UPDATE SKIP LOCKED
),
due AS (
  SELECT id, priority, run_at, created_at FROM jobs
  WHERE namespace = $1 AND queue = $2 AND status IN ('pending', 'failed') AND run_at <= now()
    AND ($3::text[] IS NULL OR type = ANY ($3::text[])) AND ${notPaused('jobs')}
  ORDER BY priority DESC, run_at, created_at
  LIMIT $4
  FOR UPDATE SKIP LOCKED
),
picked AS (
  SELECT id, exhausted, true AS reclaimed FROM expired
  UNION ALL
  -- Exhausted expired jobs are dead-lettered, not handed out: they leave their slot to a due job.
  (SELECT id, false, false FROM due
   ORDER BY priority DESC, run_at, created_at
   LIMIT greatest($4 - (SELECT count(*) FROM expired WHERE NOT exhausted), 0))
),
claimed AS (
  UPDATE jobs j SET
    status = CASE WHEN picked.exhausted THEN 'dead_letter' ELSE 'processing' END,
    attempts = CASE WHEN picked.exhausted THEN j.attempts ELSE j.attempts + 1 END,
    lease_token = CASE WHEN picked.exhausted THEN NULL ELSE gen_random_uuid() END,
    lease_expires_at = CASE WHEN picked.exhausted THEN NULL ELSE now() + make_interval(secs => $5) END,
    worker_id = CASE WHEN picked.exhausted THEN j.worker_id ELSE $6 END,
    last_error = CASE WHEN picked.reclaimed THEN 'lease expired' ELSE j.last_error END,
    last_lease_token = CASE WHEN picked.reclaimed THEN j.lease_token ELSE j.last_lease_token END,
    last_lease_end = CASE WHEN picked.reclaimed THEN 'expired' ELSE j.last_lease_end END,
    claimed_at = CASE WHEN picked.exhausted THEN j.claimed_at ELSE now() END,
    updated_at = now()
  FROM picked
  WHERE j.id = picked.id
  RETURNING ${JOB_COLUMNS}, picked.reclaimed
)
SELECT * FROM claimed j
ORDER BY j.priority DESC, j.run_at, j.created_at`;
