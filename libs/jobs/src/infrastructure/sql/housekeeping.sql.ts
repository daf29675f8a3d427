import { JOB_COLUMNS } from './job-columns.js';
import { attemptsLeft, leaseExpired } from './rules.sql.js';

/**
 * reapExpiredLeases — jobs whose worker stopped heartbeating (crashed, killed, partitioned) go back
 * to `failed` with the usual backoff, or to `dead_letter` when the attempt they held was their
 * last, the same rule as a failure (rules.sql.ts). SKIP LOCKED and the status guard make it safe
 * to run on every instance at once: a row is reaped by one of them, and a job a claimer is
 * re-claiming right now is left to the claimer. Bounded by $1 rows per call.
 */
export const REAP_EXPIRED_LEASES = `
WITH expired AS (
  SELECT id FROM jobs
  WHERE status = 'processing' AND ${leaseExpired('jobs')}
  ORDER BY lease_expires_at
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
UPDATE jobs j SET
  status = CASE WHEN ${attemptsLeft('j')} THEN 'failed' ELSE 'dead_letter' END,
  run_at = CASE WHEN ${attemptsLeft('j')} THEN now() + conveyor_backoff_delay(j.backoff, j.attempts)
                ELSE j.run_at END,
  last_error = 'lease expired', lease_token = NULL, lease_expires_at = NULL,
  last_lease_token = j.lease_token, last_lease_end = 'expired', updated_at = now()
FROM expired WHERE j.id = expired.id
RETURNING ${JOB_COLUMNS}`;

/**
 * deleteFinishedJobs — retention. Deletes up to $3 jobs in status $1 whose last change is older
 * than $2 seconds; small batches keep locks and WAL bursts short, and SKIP LOCKED keeps it off rows
 * someone is using. Their history and idempotency keys go with them, by triggers
 * (jobs_delete_history, jobs_release_keys): nothing else may delete either. A workflow's node goes
 * only once every node of its workflow has finished: a node still waiting needs its dependencies'
 * edges, and a running one their results.
 */
export const DELETE_FINISHED_JOBS = `
WITH doomed AS (
  SELECT id FROM jobs f
  WHERE status = ANY ($1::text[]) AND updated_at < now() - make_interval(secs => $2)
    AND (workflow_id IS NULL OR NOT EXISTS (
      SELECT 1 FROM jobs w
      WHERE w.workflow_id = f.workflow_id AND w.status NOT IN ('completed', 'cancelled', 'dead_letter')))
  LIMIT $3
  FOR UPDATE SKIP LOCKED
),
deleted AS (
  DELETE FROM jobs j USING doomed WHERE j.id = doomed.id RETURNING j.id
)
SELECT count(*)::integer AS deleted FROM deleted`;

/** deleteExpiredKeys — idempotency keys past their window, in batches of $1; their jobs stay. */
export const DELETE_EXPIRED_KEYS = `
WITH doomed AS (
  SELECT namespace, idempotency_key FROM job_idempotency_keys
  WHERE expires_at <= now()
  LIMIT $1
  FOR UPDATE SKIP LOCKED
)
DELETE FROM job_idempotency_keys k USING doomed
WHERE k.namespace = doomed.namespace AND k.idempotency_key = doomed.idempotency_key`;

/** compactJobStats — folds the stats deltas into the counters (see migration JobStats). */
export const COMPACT_JOB_STATS = `SELECT conveyor_compact_job_stats() AS folded`;

/** pruneStatusMinutes — per-minute entry counts older than a day are no longer shown anywhere. */
export const PRUNE_STATUS_MINUTES = `DELETE FROM job_status_minutes WHERE minute < now() - interval '1 day'`;
