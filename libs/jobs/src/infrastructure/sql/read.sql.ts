import { JOB_COLUMNS, jobStateColumns } from './job-columns.js';
import { errorContains } from './rules.sql.js';

/**
 * loadJobSnapshot — a job and what the explainer needs to say why a guarded statement changed
 * nothing (or to replay what the same lease did before). $1 id, $2 namespace.
 */
export const LOAD_JOB_SNAPSHOT = `
SELECT ${JOB_COLUMNS}, ${jobStateColumns('j')} FROM jobs j WHERE j.id = $1 AND j.namespace = $2`;

/**
 * getJobWithHistory — a job and its history, oldest first, read by one statement and so from one
 * snapshot: read apart, a job completed in between came back `processing` with a history ending in
 * `completed`. Events are positional [from, to, attempt, worker, error, occurred_at epoch ms].
 *
 * A submitted job's creation is not stored (see migration CreationEventFromRow): it is derived from
 * the row, unless the job has a stored one (submitted before that migration, or inserted by hand).
 *
 * Reads of many jobs at once (the waiters woken by one completion of 25 jobs, a dashboard's
 * readers) share one statement: $1 ids, $2 their namespaces, pair by pair; a job not there (or in
 * another namespace) yields no row.
 */
export const GET_JOBS_WITH_HISTORY = `
SELECT ${JOB_COLUMNS},
  (SELECT coalesce(jsonb_agg(jsonb_build_array(e.from_status, e.to_status, e.attempt, e.worker_id, e.error,
                                               floor(extract(epoch FROM e.occurred_at) * 1000))
                             ORDER BY e.seq), '[]')
   FROM (
     -- Born waiting: a workflow node with dependencies (edges go only with their job).
     SELECT 0::bigint AS seq, NULL::varchar AS from_status,
            (CASE WHEN EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = j.id)
                  THEN 'waiting' ELSE 'pending' END)::varchar AS to_status, 0 AS attempt,
            NULL::varchar AS worker_id, NULL::text AS error, j.created_at AS occurred_at
     WHERE NOT EXISTS (SELECT 1 FROM job_events c WHERE c.job_id = j.id AND c.from_status IS NULL)
     UNION ALL
     SELECT s.id, s.from_status, s.to_status, s.attempt, s.worker_id, s.error, s.occurred_at
     FROM job_events s WHERE s.job_id = j.id
   ) e) AS history,
  (SELECT jsonb_build_object('percent', p.percent, 'data', p.data,
                             'updatedAt', floor(extract(epoch FROM p.updated_at) * 1000))
   FROM job_progress p WHERE p.job_id = j.id) AS progress
FROM unnest($1::uuid[], $2::text[]) AS wanted(id, namespace)
JOIN jobs j ON j.id = wanted.id AND j.namespace = wanted.namespace`;

/**
 * listJobs — newest first, keyset-paginated on (created_at, id): stable under concurrent inserts
 * and as fast on page 1,000 as on page 1. The cursor's timestamp travels as PostgreSQL's own text
 * form, which keeps the microseconds a JavaScript Date would drop.
 * $1 namespace, $2 status, $3 queue, $4 type (NULL = any), $5 cursor created_at text, $6 cursor id,
 * $7 limit, $8 text the last error contains (case-insensitive), $9 / $10 minimum / maximum seconds
 * since the job's last change (for dead letters: since it was dead-lettered).
 */
export const LIST_JOBS = `
SELECT ${JOB_COLUMNS}, (extract(epoch FROM j.created_at) * 1000000)::bigint::text AS cursor_micros
FROM jobs j
WHERE j.namespace = $1
  AND ($2::text IS NULL OR j.status = $2)
  AND ($3::text IS NULL OR j.queue = $3)
  AND ($4::text IS NULL OR j.type = $4)
  AND ($5::bigint IS NULL
       OR (j.created_at, j.id) < (to_timestamp(0) + $5::bigint * interval '1 microsecond', $6::uuid))
  AND ($8::text IS NULL OR ${errorContains('j', '$8')})
  AND ($9::integer IS NULL OR j.updated_at <= now() - make_interval(secs => $9))
  AND ($10::integer IS NULL OR j.updated_at >= now() - make_interval(secs => $10))
ORDER BY j.created_at DESC, j.id DESC
LIMIT $7`;

/**
 * Statistics for dashboards, built to stay fast with millions of jobs (see migration JobStats):
 * counters plus the deltas not yet folded into them, per-minute entry counts, one index probe per
 * queue for the oldest pending job, and percentiles over a bounded sample of recent completions.
 */

/** Rows (queue, status, count) of namespace $1 that add up to its exact counts: counters + pending deltas. */
const COUNTED = `
  SELECT queue, status, count FROM job_counts WHERE namespace = $1
  UNION ALL
  SELECT queue, status, delta FROM job_stat_deltas WHERE namespace = $1`;

/**
 * Rows (queue, status, minute, entered) of namespace $1 whose minute meets `since` (a condition on
 * `minute`): jobs that entered a status, per minute, folded or still pending as deltas.
 */
const enteredSince = (since: string) => `
  SELECT queue, status, minute, entered FROM job_status_minutes
  WHERE namespace = $1 AND ${since}
  UNION ALL
  SELECT queue, status, minute, entered FROM job_stat_deltas
  WHERE namespace = $1 AND entered > 0 AND ${since}`;

/** queueCounts — exact counts per queue and status: folded counters + pending deltas. $1 namespace. */
export const QUEUE_COUNTS = `
SELECT queue, status, sum(count)::float8 AS count FROM (${COUNTED}
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
FROM (${enteredSince(`minute > now() - interval '15 minutes'`)}
) entries
WHERE status IN ('completed', 'failed', 'dead_letter')
GROUP BY queue, status`;

/** The first of the last $2 whole minutes, by the database clock (the current minute is the last). */
const WINDOW_START = `date_trunc('minute', now()) - ($2::integer - 1) * interval '1 minute'`;

/**
 * statusHistory — per queue, jobs that entered completed / failed / dead_letter in each minute of
 * the last $2 whole minutes that saw any (the caller fills in the others), from the per-minute
 * counts and the deltas not yet folded into them: a day of history is at most 1,440 rows per queue
 * and status, whatever the jobs table holds (older counts are pruned: PRUNE_STATUS_MINUTES). The
 * queues are those with jobs now or entries in the window, as GET /v1/stats lists them.
 * `first_minute` starts the window on every row; a row without a queue means no queue, a queue's
 * row without a minute, no entries. Only the minutes that saw entries: joined to every minute of
 * the window here, the planner (which cannot know how few queues there are) met each minute with
 * each of the queue's entries, 10 million comparisons for a day of 5 queues. $1 namespace.
 */
export const STATUS_HISTORY = `
WITH entered AS (
  SELECT queue, minute,
         sum(entered) FILTER (WHERE status = 'completed') AS completed,
         sum(entered) FILTER (WHERE status = 'failed') AS failed,
         sum(entered) FILTER (WHERE status = 'dead_letter') AS dead_lettered
  -- Not past the current minute: a writer that began after this statement has no place in it.
  FROM (${enteredSince(`minute BETWEEN ${WINDOW_START} AND date_trunc('minute', now())`)}
  ) entries
  WHERE status IN ('completed', 'failed', 'dead_letter')
  GROUP BY queue, minute
),
queues AS (
  SELECT queue FROM (${COUNTED}
  ) counted
  GROUP BY queue
  HAVING sum(count) <> 0
  UNION
  SELECT queue FROM entered
)
SELECT w.first_minute, q.queue, e.minute,
       coalesce(e.completed, 0)::float8 AS completed,
       coalesce(e.failed, 0)::float8 AS failed,
       coalesce(e.dead_lettered, 0)::float8 AS dead_lettered
FROM (SELECT ${WINDOW_START} AS first_minute) w
LEFT JOIN queues q ON true
LEFT JOIN entered e ON e.queue = q.queue
ORDER BY q.queue COLLATE "C", e.minute`;

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

/**
 * The gauges of /metrics, over every namespace (queue names are the labels). From the stats
 * counters (see migration JobStats): no scan of `jobs`.
 */
export const GAUGE_QUEUE_DEPTH = `
SELECT queue, status, sum(count)::float8 AS count FROM (
  SELECT queue, status, count FROM job_counts
  UNION ALL
  SELECT queue, status, delta FROM job_stat_deltas
) counted
WHERE status IN ('waiting', 'pending', 'processing', 'failed', 'dead_letter')
GROUP BY queue, status`;

/** One probe of jobs_pending_age_idx per namespace and queue. */
export const GAUGE_OLDEST_PENDING = `
SELECT q.queue, max(extract(epoch FROM now() - p.run_at))::float8 AS seconds
FROM (SELECT DISTINCT namespace, queue FROM job_counts WHERE status = 'pending' AND count > 0) q
CROSS JOIN LATERAL (
  SELECT run_at FROM jobs
  WHERE namespace = q.namespace AND queue = q.queue AND status = 'pending' AND run_at <= now()
  ORDER BY run_at LIMIT 1
) p
GROUP BY q.queue`;

export const DATABASE_NOW = `SELECT now() AS now`;
