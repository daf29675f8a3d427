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

/**
 * getJobEvents — a job's history, oldest first. A submitted job's creation is not stored (see
 * migration CreationEventFromRow): it is derived from the row, unless the job has a stored one
 * (submitted before that migration, or inserted by hand).
 */
export const GET_JOB_EVENTS = `
SELECT 0::bigint AS seq, NULL::varchar AS from_status, 'pending'::varchar AS to_status, 0 AS attempt,
       NULL::varchar AS worker_id, NULL::text AS error, j.created_at AS occurred_at
FROM jobs j
WHERE j.id = $1
  AND NOT EXISTS (SELECT 1 FROM job_events e WHERE e.job_id = j.id AND e.from_status IS NULL)
UNION ALL
SELECT id, from_status, to_status, attempt, worker_id, error, occurred_at
FROM job_events WHERE job_id = $1
ORDER BY seq`;

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

/**
 * Statistics for dashboards, built to stay fast with millions of jobs (see migration JobStats):
 * counters plus the deltas not yet folded into them, per-minute entry counts, one index probe per
 * queue for the oldest pending job, and percentiles over a bounded sample of recent completions.
 */

/** queueCounts — exact counts per queue and status: folded counters + pending deltas. $1 namespace. */
export const QUEUE_COUNTS = `
SELECT queue, status, sum(count)::float8 AS count FROM (
  SELECT queue, status, count FROM job_counts WHERE namespace = $1
  UNION ALL
  SELECT queue, status, delta FROM job_stat_deltas WHERE namespace = $1
) counted
GROUP BY queue, status
HAVING sum(count) <> 0`;

/**
 * queueThroughput — jobs that entered completed / failed / dead_letter in the last 1, 5 and 15
 * minutes, to the minute (buckets start at whole minutes). $1 namespace.
 */
export const QUEUE_THROUGHPUT = `
SELECT queue, status,
       coalesce(sum(entered) FILTER (WHERE minute > now() - interval '1 minute'), 0)::float8 AS last1,
       coalesce(sum(entered) FILTER (WHERE minute > now() - interval '5 minutes'), 0)::float8 AS last5,
       coalesce(sum(entered), 0)::float8 AS last15
FROM (
  SELECT queue, status, minute, entered FROM job_status_minutes
  WHERE namespace = $1 AND minute > now() - interval '15 minutes'
  UNION ALL
  SELECT queue, status, minute, entered FROM job_stat_deltas
  WHERE namespace = $1 AND entered > 0 AND minute > now() - interval '15 minutes'
) entries
WHERE status IN ('completed', 'failed', 'dead_letter')
GROUP BY queue, status`;

/** oldestPending — per queue, the age of its oldest due pending job: one probe of jobs_pending_age_idx. */
export const OLDEST_PENDING = `
SELECT q.queue, extract(epoch FROM now() - p.run_at)::float8 AS age_seconds
FROM (
  SELECT DISTINCT queue FROM job_counts WHERE namespace = $1
  UNION
  SELECT DISTINCT queue FROM job_stat_deltas WHERE namespace = $1
) q
CROSS JOIN LATERAL (
  SELECT run_at FROM jobs
  WHERE namespace = $1 AND queue = q.queue AND status = 'pending' AND run_at <= now()
  ORDER BY run_at LIMIT 1
) p`;

/** latencySample — wait (runAt to claim) and run (claim to done) percentiles over the last $2 completions. */
export const LATENCY_SAMPLE = `
WITH recent AS (
  SELECT extract(epoch FROM claimed_at - run_at)::float8 AS wait, extract(epoch FROM updated_at - claimed_at)::float8 AS run
  FROM jobs
  WHERE namespace = $1 AND status = 'completed' AND claimed_at IS NOT NULL
  ORDER BY updated_at DESC
  LIMIT $2
)
SELECT count(*)::integer AS sample,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY greatest(wait, 0)) AS wait,
       percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY greatest(run, 0)) AS run
FROM recent`;
