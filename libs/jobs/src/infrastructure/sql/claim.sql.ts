import { JOB_COLUMNS } from './job-columns.js';
import { attemptsLeft, leaseExpired, rateAvailable } from './rules.sql.js';

/**
 * The limit rows (aliased `l`) that need jobs sorted by key or by type before any is taken: a
 * per-key limit, or a limit of one type. Limits of the whole queue only cap how many are taken.
 */
const sortsJobs = (l: string): string => `(${l}.key_concurrency_limit IS NOT NULL OR ${l}.type <> '')`;

/**
 * Neither the claimed queue nor every type asked for is paused (`paused`): a condition on no row,
 * which PostgreSQL checks once, before it reads any job. Written per row, a paused queue's claims
 * would read its whole backlog to find nothing, and hold up the claim that follows a resume.
 */
const queueOpen = `NOT EXISTS (SELECT 1 FROM paused WHERE type = '')
    AND NOT ($3::text[] IS NOT NULL AND $3::text[] <@ ARRAY(SELECT type::text FROM paused))`;

/**
 * Job `j`'s type is of those asked for, and not paused on its own. A claim of one type (each
 * in-process handler's) reads that type's due jobs in order from jobs_claim_due_type_idx: with $3
 * known when the claim is planned, `type = ANY` of one type is an equality.
 */
const typeOpen = (j: string): string =>
  `($3::text[] IS NULL OR ${j}.type = ANY ($3::text[])) AND ${j}.type NOT IN (SELECT type FROM paused)`;

/** Job `j` of the claimed queue waits and is due, of the asked types, and nothing of it is paused. */
const dueNow = (j: string): string => `${j}.status IN ('pending', 'failed') AND ${j}.run_at <= now()
    AND ${queueOpen} AND ${typeOpen(j)}`;

/**
 * Whether job `j` of the claimed queue may start now as far as its own row and its type go: due
 * now, its type not at the type's limit (`full_types`; every asked type at its limit is, again,
 * checked once for the whole statement).
 */
const startable = (j: string): string => `${dueNow(j)}
    AND NOT ($3::text[] IS NOT NULL AND $3::text[] <@ ARRAY(SELECT type::text FROM full_types))
    AND ${j}.type NOT IN (SELECT type FROM full_types)`;

/**
 * A walk over the distinct concurrency keys with waiting jobs, `op` the walk's start
 * (walk_from.after), in key order, at most `budget` keys: a loose index scan of
 * jobs_waiting_by_key_idx, one descent per key however many jobs each holds. A row with a NULL key
 * ends it.
 */
const keyWalk = (name: string, op: '>' | '<=', budget: string): string => {
  const next = (after: string) => `(SELECT j.concurrency_key FROM jobs j, walk_from w
     WHERE j.namespace = $1 AND j.queue = $2 AND j.status IN ('pending', 'failed')
       AND j.concurrency_key IS NOT NULL AND j.concurrency_key > ${after} AND j.concurrency_key ${op} w.after
     ORDER BY j.concurrency_key LIMIT 1)`;
  const first = op === '>' ? next('w.after') : next("''");
  return `${name} (concurrency_key, n) AS (
  SELECT ${first}, 1 FROM walk_from w WHERE 1 <= ${budget}
  UNION ALL
  SELECT ${next('k.concurrency_key')}, k.n + 1 FROM ${name} k
  WHERE k.concurrency_key IS NOT NULL AND k.n < ${budget}
)`;
};

/** The paused parts of the claimed queue: '' for the whole queue, else a type of it. */
const PAUSED = `paused AS MATERIALIZED (
  -- A pause holds on every instance once it commits.
  SELECT type FROM queue_controls WHERE namespace = $1 AND queue = $2 AND paused
)`;

/** Expired leases of the queue, up to $4, in the order they ran out; `gate` holds for the statement. */
const expired = (gate: string): string => `expired AS (
  SELECT id, NOT (${attemptsLeft('jobs')}) AS exhausted FROM jobs
  WHERE namespace = $1 AND queue = $2 AND status = 'processing' AND ${leaseExpired('jobs')}
    AND ${queueOpen} AND ${typeOpen('jobs')} AND ${gate}
  ORDER BY lease_expires_at
  LIMIT $4
  FOR UPDATE SKIP LOCKED
)`;

/** Due jobs of the queue, up to $4, in priority order; `gate` holds for the statement. */
const due = (gate: string): string => `due AS (
  SELECT id, priority, run_at, created_at FROM jobs
  WHERE namespace = $1 AND queue = $2 AND ${dueNow('jobs')} AND ${gate}
  ORDER BY priority DESC, run_at, created_at
  LIMIT $4
  FOR UPDATE SKIP LOCKED
)`;

/** The jobs `picked` become attempts (or dead letters), each with a lease of $5 seconds for worker $6. */
const CLAIMED = `claimed AS (
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
)`;

/** The limited statement's queue may start more jobs (`room`: its concurrency and rate limits). */
const ROOM_LEFT = 'coalesce((SELECT queue_slots FROM room), 1) > 0';

/** Whether the queue has a limit of any kind (queue_controls), in `c`. */
const hasLimit = (c: string): string =>
  `(${c}.concurrency_limit IS NOT NULL OR ${c}.key_concurrency_limit IS NOT NULL OR ${c}.rate_limit IS NOT NULL)`;

/**
 * claimJobs — the claim of a queue without limits: CLAIM_LIMITED_JOBS's plain path alone, a
 * fraction of its planning (PostgreSQL plans each claim afresh: a generic plan cannot size the
 * join by $4, see below). A queue with limits is left to CLAIM_LIMITED_JOBS: then nothing is taken
 * and the one row returned has a NULL id and `limited` true. $1–$6 as there.
 */
export const CLAIM_JOBS = `
WITH ${PAUSED},
limited AS MATERIALIZED (
  SELECT EXISTS (SELECT 1 FROM queue_controls c WHERE c.namespace = $1 AND c.queue = $2 AND ${hasLimit('c')}) AS yes
),
${expired('NOT (SELECT yes FROM limited)')},
${due('NOT (SELECT yes FROM limited)')},
picked AS (
  SELECT id, exhausted, true AS reclaimed FROM expired
  UNION ALL
  (SELECT id, false, false FROM due
   ORDER BY priority DESC, run_at, created_at
   LIMIT greatest($4 - (SELECT count(*) FROM expired WHERE NOT exhausted), 0))
),
${CLAIMED}
SELECT j.*, l.yes AS limited FROM limited l LEFT JOIN claimed j ON true
ORDER BY j.priority DESC, j.run_at, j.created_at`;

/**
 * claimLimitedJobs — hands up to $4 jobs of one queue to one caller, each job to exactly one caller.
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
 * reaches dead_letter. Neither source takes a job whose queue or type is paused (`paused`): a
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
 * left out of the scan). A window that is full may still be all one key's backlog, when that key
 * is first in line but not yet at its limit: with a per-key limit the claim then also walks the
 * waiting keys (`keys_after` then `keys_before`, up to $7 of them, round from the key where the
 * last walk stopped) and takes each one's first jobs (`key_heads`), so a hot key cannot starve
 * the others, and jobs alike in priority and age go round the keys. The window
 * functions then keep, in priority order, as many per key and per type as have room, and
 * `limited_due` locks at most the queue's free slots of them. Jobs over a limit stay pending.
 * A rate limit is a token bucket in the same rows: `limits` computes the tokens available now,
 * which cap the slots like a concurrency limit, and `spent` draws one per job started (re-claims
 * of expired leases draw none).
 */
export const CLAIM_LIMITED_JOBS = `
WITH RECURSIVE limits AS MATERIALIZED (
  SELECT type, concurrency_limit, key_concurrency_limit, rate_limit, key_cursor,
         -- Starts the rate limit allows now: a bucket of rate_limit tokens, refilled at
         -- rate_limit per rate_period_seconds since it was last drawn from.
         ${rateAvailable('queue_controls')} AS rate_available
  FROM queue_controls
  WHERE namespace = $1 AND queue = $2 AND ${hasLimit('queue_controls')}
  FOR UPDATE
),
${PAUSED},
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
${expired('true')},
${due(`NOT EXISTS (SELECT 1 FROM limits WHERE ${sortsJobs('limits')}) AND ${ROOM_LEFT}`)},
full_types AS MATERIALIZED (
  -- Types of the queue at their own concurrency or rate limit: none of their jobs may start.
  SELECT l.type FROM limits l LEFT JOIN type_running r USING (type)
  WHERE l.type <> '' AND (l.concurrency_limit <= coalesce(r.n, 0) OR l.rate_available < 1)
),
candidates AS (
  SELECT id, type, concurrency_key, priority, run_at, created_at FROM jobs
  WHERE namespace = $1 AND queue = $2 AND ${startable('jobs')}
    AND EXISTS (SELECT 1 FROM limits WHERE ${sortsJobs('limits')})
    AND ${ROOM_LEFT}
    AND (concurrency_key IS NULL OR concurrency_key NOT IN (
      SELECT k.concurrency_key FROM key_running k, room WHERE k.n >= room.key_limit))
  ORDER BY priority DESC, run_at, created_at
  LIMIT $7
),
walk_from AS MATERIALIZED (
  -- A full window may hide keys behind the backlog of a few (a hot key's jobs first in line): a
  -- per-key limit then also walks the waiting keys themselves. It starts just past the last key
  -- the previous walk started (key_cursor), so that successive claims go round the keys rather
  -- than always start at the first; no row, no walk.
  SELECT coalesce((SELECT key_cursor FROM limits WHERE type = ''), '') AS after
  WHERE (SELECT key_limit FROM room) IS NOT NULL AND ${ROOM_LEFT}
    AND (SELECT count(*) FROM candidates) >= $7
),
${keyWalk('keys_after', '>', '$7')},
walked_after AS MATERIALIZED (SELECT count(*) AS n FROM keys_after WHERE concurrency_key IS NOT NULL),
${keyWalk('keys_before', '<=', '$7 - (SELECT n FROM walked_after)')},
walked AS MATERIALIZED (
  -- The walked keys, each with its place in the walk (pos): how far round from the cursor it is.
  SELECT concurrency_key, n AS pos FROM keys_after WHERE concurrency_key IS NOT NULL
  UNION ALL
  SELECT concurrency_key, n + (SELECT n FROM walked_after) FROM keys_before WHERE concurrency_key IS NOT NULL
),
key_heads AS (
  -- Each walked key's first jobs, as many as it has room for.
  SELECT h.* FROM walked w
  CROSS JOIN room
  LEFT JOIN key_running k ON k.concurrency_key = w.concurrency_key
  CROSS JOIN LATERAL (
    SELECT j.id, j.type, j.concurrency_key, j.priority, j.run_at, j.created_at FROM jobs j
    WHERE j.namespace = $1 AND j.queue = $2 AND j.concurrency_key = w.concurrency_key AND ${startable('j')}
    ORDER BY j.priority DESC, j.run_at, j.created_at
    LIMIT greatest(room.key_limit - coalesce(k.n, 0), 0)
  ) h
),
considered AS (SELECT * FROM candidates UNION SELECT * FROM key_heads),
within_keys AS (
  -- Between jobs alike in priority and age (a batch submitted at once), the walk's order decides:
  -- the keys it reaches first, those least recently started, go first.
  SELECT c.*, wk.pos AS walk_pos FROM (
    SELECT c.*, row_number() OVER (PARTITION BY c.concurrency_key
                                   ORDER BY c.priority DESC, c.run_at, c.created_at) AS key_rank
    FROM considered c
  ) c
  LEFT JOIN walked wk ON wk.concurrency_key = c.concurrency_key
  LEFT JOIN key_running k ON k.concurrency_key = c.concurrency_key
  WHERE c.concurrency_key IS NULL OR (SELECT key_limit FROM room) IS NULL
     OR c.key_rank <= (SELECT key_limit FROM room) - coalesce(k.n, 0)
),
within_types AS (
  SELECT t.id, t.priority, t.run_at, t.created_at, t.walk_pos FROM (
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
    SELECT id FROM within_types ORDER BY priority DESC, run_at, created_at, walk_pos NULLS LAST
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
${CLAIMED},
spent AS (
  -- Each job started from the due ones draws a token from its queue's and its type's buckets,
  -- and a walk leaves its cursor at the last key it started. One UPDATE for both: a row
  -- updated twice in one statement keeps only one of the changes.
  UPDATE queue_controls c SET
    rate_tokens = CASE WHEN l.rate_limit IS NULL THEN c.rate_tokens ELSE l.rate_available - (
      SELECT count(*) FROM claimed k
      WHERE k.status = 'processing' AND NOT k.reclaimed AND (l.type = '' OR k.type = l.type)) END,
    rate_refilled_at = CASE WHEN l.rate_limit IS NULL THEN c.rate_refilled_at
                            ELSE greatest(c.rate_refilled_at, now()) END,
    key_cursor = CASE WHEN l.type <> '' THEN c.key_cursor ELSE coalesce(
      -- The last walked key started, in the order jobs are started: where the round stopped.
      (SELECT w.concurrency_key FROM claimed k JOIN walked w USING (concurrency_key)
       ORDER BY k.priority, k.run_at DESC, k.created_at DESC, w.pos DESC LIMIT 1),
      c.key_cursor) END
  FROM limits l
  WHERE c.namespace = $1 AND c.queue = $2 AND c.type = l.type
    AND (l.rate_limit IS NOT NULL OR (l.type = '' AND EXISTS (SELECT 1 FROM walked)))
)
SELECT * FROM claimed j
ORDER BY j.priority DESC, j.run_at, j.created_at`;
