import { JOB_COLUMNS } from './job-columns.js';

/**
 * loadJobState — what the aggregate needs to decide (or explain) a transition. The time-dependent
 * facts are evaluated here, by the database clock.
 */
export const LOAD_JOB_STATE = `
SELECT id, status, attempts, max_attempts, lease_token,
       coalesce(lease_expires_at <= now(), false) AS lease_expired,
       run_at <= now() AS due
FROM jobs WHERE id = $1 AND namespace = $2`;

export const GET_JOB = `SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1 AND j.namespace = $2`;

export const GET_JOB_EVENTS = `
SELECT from_status, to_status, attempt, worker_id, error, occurred_at
FROM job_events WHERE job_id = $1 ORDER BY id`;

/**
 * listJobs — newest first, keyset-paginated on (created_at, id): stable under concurrent inserts
 * and as fast on page 1,000 as on page 1. The cursor's timestamp travels as PostgreSQL's own text
 * form, which keeps the microseconds a JavaScript Date would drop.
 * $1 namespace, $2 status, $3 queue, $4 type (NULL = any), $5 cursor created_at text, $6 cursor id,
 * $7 limit, $8 text the last error contains (case-insensitive), $9 / $10 minimum / maximum seconds
 * since the job's last change (for dead letters: since it was dead-lettered).
 */
export const LIST_JOBS = `
SELECT ${JOB_COLUMNS}, j.created_at::text AS cursor_created_at
FROM jobs j
WHERE j.namespace = $1
  AND ($2::text IS NULL OR j.status = $2)
  AND ($3::text IS NULL OR j.queue = $3)
  AND ($4::text IS NULL OR j.type = $4)
  AND ($5::timestamptz IS NULL OR (j.created_at, j.id) < ($5::timestamptz, $6::uuid))
  AND ($8::text IS NULL OR strpos(lower(j.last_error), lower($8)) > 0)
  AND ($9::integer IS NULL OR j.updated_at <= now() - make_interval(secs => $9))
  AND ($10::integer IS NULL OR j.updated_at >= now() - make_interval(secs => $10))
ORDER BY j.created_at DESC, j.id DESC
LIMIT $7`;

/** queueStats — counts per queue and status, and how long the oldest due pending job has waited. */
export const QUEUE_STATS = `
SELECT queue, status, count(*)::integer AS count,
       extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'pending' AND run_at <= now()))::float8
         AS oldest_pending_age_seconds
FROM jobs WHERE namespace = $1
GROUP BY queue, status
ORDER BY queue, status`;
