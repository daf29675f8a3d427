import { JOB_COLUMNS } from './job-columns.js';
import { attemptsLeft, leaseExpired, notPaused, rateAvailable } from './rules.sql.js';

/**
 * The limit rows (aliased `l`) that need jobs sorted by key or by type before any is taken: a
 * per-key limit, or a limit of one type. Limits of the whole queue only cap how many are taken.
 */
const sortsJobs = (l: string): string => `(${l}.key_concurrency_limit IS NOT NULL OR ${l}.type <> '')`;

/**
 * claimJobs — hands up to $4 jobs of one queue to one caller, each job to exactly one caller.
 *
 *   $1 namespace, $2 queue, $3 types (text[] or NULL for any), $4 limit,
 *   $5 lease seconds, $6 worker id, $7 how many due jobs a limited queue's claim considers
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
 *
 * A queue with limits (queue_controls, docs/queues.md): `limits` locks its limit rows, so the
 * claims of a limited queue take turns and two of them never count the same free slot; `running`
 * counts what runs now by type and concurrency key, read after the lock (conveyor_running_jobs: the
 * statement's own snapshot predates it), and `room` says how many more the queue may start. Limits
 * on the whole queue only keep the plain path: `due` as above, trimmed by `picked` to the room.
 * Per-key or per-type limits take the other path (`sortsJobs`): `candidates` reads,
 * without locking, the first $7 due jobs whose type and key still have room (a key at its limit is
 * left out of the scan, so a hot key cannot fill the window and starve the others); the window
 * functions then keep, in priority order, as many per key and per type as have room, and
 * `limited_due` locks at most the queue's free slots of them. Jobs over a limit stay pending.
 * A rate limit is a token bucket in the same rows: `limits` computes the tokens available now,
 * which cap the slots like a concurrency limit, and `spent` draws one per job started (re-claims
 * of expired leases draw none).
 */
export const CLAIM_JOBS = `
WITH limits AS MATERIALIZED (
  SELECT type, concurrency_limit, key_concurrency_limit, rate_limit,
         -- Starts the rate limit allows now: a bucket of rate_limit tokens, refilled at
         -- rate_limit per rate_period_seconds since it was last drawn from.
         ${rateAvailable('queue_controls')} AS rate_available
  FROM queue_controls
  WHERE namespace = $1 AND queue = $2
    AND (concurrency_limit IS NOT NULL OR key_concurrency_limit IS NOT NULL OR rate_limit IS NOT NULL)
  FOR UPDATE
),
running AS MATERIALIZED (
  -- Counted after the lock, with a snapshot of its own (migration FlowLimits says why).
  SELECT type, concurrency_key, n FROM conveyor_running_jobs($1, $2) WHERE EXISTS (SELECT 1 FROM limits)
),
type_running AS MATERIALIZED (SELECT type, sum(n)::int AS n FROM running GROUP BY type),
key_running AS MATERIALIZED (
  SELECT concurrency_key, sum(n)::int AS n FROM running WHERE concurrency_key IS NOT NULL GROUP BY concurrency_key
),
room AS MATERIALIZED (
  -- least() passes over NULLs: the tighter of the concurrency and the rate limit, or NULL for none.
  SELECT least((SELECT concurrency_limit FROM limits WHERE type = '')
                 - (SELECT coalesce(sum(n), 0) FROM running)::int,
               (SELECT floor(rate_available)::int FROM limits WHERE type = '')) AS queue_slots,
         (SELECT key_concurrency_limit FROM limits WHERE type = '') AS key_limit
),
expired AS (
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
    AND NOT EXISTS (SELECT 1 FROM limits WHERE ${sortsJobs('limits')})
    AND coalesce((SELECT queue_slots FROM room), 1) > 0
  ORDER BY priority DESC, run_at, created_at
  LIMIT $4
  FOR UPDATE SKIP LOCKED
),
candidates AS (
  SELECT id, type, concurrency_key, priority, run_at, created_at FROM jobs
  WHERE namespace = $1 AND queue = $2 AND status IN ('pending', 'failed') AND run_at <= now()
    AND ($3::text[] IS NULL OR type = ANY ($3::text[])) AND ${notPaused('jobs')}
    AND EXISTS (SELECT 1 FROM limits WHERE ${sortsJobs('limits')})
    AND coalesce((SELECT queue_slots FROM room), 1) > 0
    AND type NOT IN (
      SELECT l.type FROM limits l LEFT JOIN type_running r USING (type)
      WHERE l.type <> '' AND (l.concurrency_limit <= coalesce(r.n, 0) OR l.rate_available < 1))
    AND (concurrency_key IS NULL OR concurrency_key NOT IN (
      SELECT k.concurrency_key FROM key_running k, room WHERE k.n >= room.key_limit))
  ORDER BY priority DESC, run_at, created_at
  LIMIT $7
),
within_keys AS (
  SELECT c.* FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.concurrency_key
                                   ORDER BY c.priority DESC, c.run_at, c.created_at) AS key_rank
    FROM candidates c
  ) c
  LEFT JOIN key_running k ON k.concurrency_key = c.concurrency_key
  WHERE c.concurrency_key IS NULL OR (SELECT key_limit FROM room) IS NULL
     OR c.key_rank <= (SELECT key_limit FROM room) - coalesce(k.n, 0)
),
within_types AS (
  SELECT t.id, t.priority, t.run_at, t.created_at FROM (
    SELECT w.*, row_number() OVER (PARTITION BY w.type ORDER BY w.priority DESC, w.run_at, w.created_at) AS type_rank
    FROM within_keys w
  ) t
  LEFT JOIN limits l ON l.type = t.type
  LEFT JOIN type_running r ON r.type = t.type
  WHERE t.type_rank <= coalesce(least(l.concurrency_limit - coalesce(r.n, 0), floor(l.rate_available)::int), t.type_rank)
),
limited_due AS (
  SELECT j.id, j.priority, j.run_at, j.created_at FROM jobs j
  WHERE j.status IN ('pending', 'failed') AND j.id IN (
    SELECT id FROM within_types ORDER BY priority DESC, run_at, created_at
    LIMIT least($4, coalesce((SELECT queue_slots FROM room), $4)))
  FOR UPDATE SKIP LOCKED
),
picked AS (
  SELECT id, exhausted, true AS reclaimed FROM expired
  UNION ALL
  -- Exhausted expired jobs are dead-lettered, not handed out: they leave their slot to a due job.
  (SELECT id, false, false FROM (SELECT * FROM due UNION ALL SELECT * FROM limited_due) d
   ORDER BY priority DESC, run_at, created_at
   LIMIT greatest(least($4 - (SELECT count(*) FROM expired WHERE NOT exhausted),
                        coalesce((SELECT queue_slots FROM room), $4)), 0))
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
),
spent AS (
  -- Each job started from the due ones draws a token from its queue's and its type's buckets.
  UPDATE queue_controls c SET
    rate_tokens = l.rate_available - (
      SELECT count(*) FROM claimed k
      WHERE k.status = 'processing' AND NOT k.reclaimed AND (l.type = '' OR k.type = l.type)),
    rate_refilled_at = greatest(c.rate_refilled_at, now())
  FROM limits l
  WHERE c.namespace = $1 AND c.queue = $2 AND c.type = l.type AND l.rate_limit IS NOT NULL
)
SELECT * FROM claimed j
ORDER BY j.priority DESC, j.run_at, j.created_at`;
