import { JOB_COLUMNS } from './job-columns.js';

/**
 * insertJobs — writes many submits in one statement (group commit: one WAL flush for all of them).
 *
 * $1 is a JSON array of positional rows [id, namespace, queue, type, payload, priority, run_at,
 * max_attempts, backoff, idempotency_key, fingerprint, dedupe_window_seconds, traceparent,
 * concurrency_key, callback_url] (field
 * names repeated a thousand times were a third of the bytes to send and parse); each (namespace,
 * idempotency_key) occurs at most once (the caller folds duplicates, since ON CONFLICT DO UPDATE
 * may not touch one row twice in a statement).
 *
 * The key row is the lock: INSERT ... ON CONFLICT waits for a concurrent transaction holding the
 * same key, then either wins the key (new key, or one whose dedupe window has passed) or leaves it.
 * Only jobs whose key was won are inserted. Keys are never checked first and inserted later, so
 * concurrent identical submits cannot both get through.
 *
 * Returns only what the database decided (the caller has the rest): sending every inserted
 * payload back and parsing it again would be most of the statement's cost.
 */
export const INSERT_JOBS = `
WITH input AS (
  SELECT (e->>0)::uuid AS id, e->>1 AS namespace, e->>2 AS queue, e->>3 AS type, e->4 AS payload,
         (e->>5)::integer AS priority, (e->>6)::timestamptz AS run_at, (e->>7)::integer AS max_attempts,
         e->8 AS backoff, e->>9 AS idempotency_key, e->>10 AS fingerprint,
         (e->>11)::integer AS dedupe_window_seconds, e->>12 AS traceparent, e->>13 AS concurrency_key,
         e->>14 AS callback_url
  FROM jsonb_array_elements($1::jsonb) AS e
),
won AS (
  INSERT INTO job_idempotency_keys AS k (namespace, idempotency_key, job_id, fingerprint, expires_at)
  SELECT namespace, idempotency_key, id, fingerprint, now() + make_interval(secs => dedupe_window_seconds)
  FROM input
  ON CONFLICT (namespace, idempotency_key) DO UPDATE
    SET job_id = excluded.job_id, fingerprint = excluded.fingerprint,
        expires_at = excluded.expires_at, created_at = now()
    -- Past its window the key is free again. Otherwise the row is left alone (but locked until
    -- we commit), and nothing is returned for it.
    WHERE k.expires_at <= now()
  RETURNING k.job_id
)
INSERT INTO jobs AS j (id, namespace, queue, type, payload, status, priority, run_at, max_attempts,
                       backoff, idempotency_key, traceparent, concurrency_key, callback_url)
SELECT i.id, i.namespace, i.queue, i.type, i.payload, 'pending', i.priority, coalesce(i.run_at, now()),
       i.max_attempts, i.backoff, i.idempotency_key, i.traceparent, i.concurrency_key, i.callback_url
FROM input i JOIN won ON won.job_id = i.id
-- Times as whole epoch milliseconds (what a JavaScript Date holds, floored as the timestamp parser
-- would): a number is much cheaper to read back than a timestamp's text, a thousand times a batch.
RETURNING j.id, floor(extract(epoch FROM j.run_at) * 1000)::float8 AS run_at_ms,
          floor(extract(epoch FROM j.created_at) * 1000)::float8 AS created_at_ms`;

/**
 * findJobsByIdempotencyKeys — the jobs that hold live keys a submit did not win (or, when the
 * namespace is full, the jobs a replayed submit refers to). Runs as its own
 * statement after INSERT_JOBS: in READ COMMITTED its fresh snapshot sees the concurrent winner that
 * INSERT ... ON CONFLICT waited for (a CTE in the same statement would not).
 */
export const FIND_JOBS_BY_IDEMPOTENCY_KEYS = `
SELECT k.fingerprint AS key_fingerprint, ${JOB_COLUMNS}
FROM jsonb_to_recordset($1::jsonb) AS wanted(namespace text, idempotency_key text)
JOIN job_idempotency_keys k
  ON k.namespace = wanted.namespace AND k.idempotency_key = wanted.idempotency_key
  AND k.expires_at > now()
JOIN jobs j ON j.id = k.job_id`;

/**
 * countWaiting — jobs waiting to run (pending, failed until their retry, or a workflow node waiting
 * for its dependencies) per namespace, exact:
 * folded counters plus the deltas not folded yet, as GET /v1/stats reads them. $1 namespaces (text[]).
 */
export const COUNT_WAITING = `
SELECT namespace, sum(n)::float8 AS waiting FROM (
  SELECT namespace, count AS n FROM job_counts
  WHERE namespace = ANY($1) AND status IN ('waiting', 'pending', 'failed')
  UNION ALL
  SELECT namespace, delta FROM job_stat_deltas
  WHERE namespace = ANY($1) AND status IN ('waiting', 'pending', 'failed')
) counted
GROUP BY namespace`;
