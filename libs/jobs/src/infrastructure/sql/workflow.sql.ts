import { JOB_COLUMNS } from './job-columns.js';

/**
 * Workflows (docs/workflows.md). What moves a node when its dependencies finish is not here: the
 * trigger jobs_follow_dependencies (migration Workflows) does it in the transaction that finishes
 * the parent, whoever finishes it.
 */

/**
 * insertWorkflow — a whole workflow in one statement, all or nothing: its row, its nodes (born
 * `waiting` when they have dependencies, else `pending`) and its edges.
 *
 * $1 the workflow { id, namespace, name, idempotency_key, fingerprint, node_count }; $2 the nodes as
 * positional rows [id, queue, type, payload, priority, run_at, max_attempts, backoff,
 * idempotency_key, traceparent, concurrency_key, callback_url, ref, waiting]; $3 the edges as
 * [child_id, parent_id, on_failure].
 *
 * The workflow's key is the lock, as a job's is (submit.sql.ts): ON CONFLICT waits for a concurrent
 * transaction holding the same key, and then inserts nothing at all; the caller looks the winner up
 * (FIND_WORKFLOW_BY_KEY). Edges have no foreign keys to check (migration Workflows): they point at
 * nodes of this same statement.
 */
export const INSERT_WORKFLOW = `
WITH wf AS (
  INSERT INTO workflows (id, namespace, name, idempotency_key, fingerprint, node_count)
  SELECT w.id, w.namespace, w.name, w.idempotency_key, w.fingerprint, w.node_count
  FROM jsonb_to_record($1::jsonb) AS w(id uuid, namespace text, name text, idempotency_key text,
                                        fingerprint text, node_count integer)
  ON CONFLICT (namespace, idempotency_key) DO NOTHING
  RETURNING id, namespace, created_at
),
nodes AS (
  INSERT INTO jobs (id, namespace, queue, type, payload, status, priority, run_at, max_attempts, backoff,
                    idempotency_key, traceparent, concurrency_key, callback_url, workflow_id, workflow_ref)
  SELECT (e->>0)::uuid, wf.namespace, e->>1, e->>2, e->3,
         CASE WHEN (e->>13)::boolean THEN 'waiting' ELSE 'pending' END,
         (e->>4)::integer, coalesce((e->>5)::timestamptz, now()), (e->>6)::integer, e->7, e->>8, e->>9,
         e->>10, e->>11, wf.id, e->>12
  FROM wf CROSS JOIN jsonb_array_elements($2::jsonb) AS e
),
edges AS (
  INSERT INTO job_dependencies (child_id, parent_id, on_failure)
  SELECT (e->>0)::uuid, (e->>1)::uuid, e->>2
  FROM wf CROSS JOIN jsonb_array_elements($3::jsonb) AS e
)
SELECT wf.id, floor(extract(epoch FROM wf.created_at) * 1000)::float8 AS created_at_ms FROM wf`;

/** workflowExists — $1 id, $2 namespace. */
export const WORKFLOW_EXISTS = `SELECT 1 FROM workflows WHERE id = $1 AND namespace = $2`;

/** countWorkflowNodes — nodes of workflow $1 (namespace $2) in the statuses $3. */
export const COUNT_WORKFLOW_NODES = `
SELECT count(*)::integer AS n FROM jobs WHERE workflow_id = $1 AND namespace = $2 AND status = ANY ($3::text[])`;

/** findWorkflowByKey — the workflow holding a key, with the fingerprint it was submitted with. */
export const FIND_WORKFLOW_BY_KEY = `
SELECT id, fingerprint FROM workflows WHERE namespace = $1 AND idempotency_key = $2`;

/**
 * The columns of a workflow and the aggregate of its nodes, for GET_WORKFLOW and LIST_WORKFLOWS:
 * counts per status, when its first node was first claimed, and when its last node finished.
 */
const WORKFLOW_SUMMARY = `
  w.id, w.namespace, w.name, w.idempotency_key, w.node_count, w.created_at,
  coalesce(agg.counts, '{}'::jsonb) AS counts, agg.started_at, agg.last_change_at`;
const NODE_AGGREGATE = `
LEFT JOIN LATERAL (
  SELECT (SELECT jsonb_object_agg(status, n) FROM (
            SELECT status, count(*) AS n FROM jobs WHERE workflow_id = w.id GROUP BY status) s) AS counts,
         min(claimed_at) AS started_at, max(updated_at) AS last_change_at
  FROM jobs WHERE workflow_id = w.id
) agg ON true`;

/**
 * getWorkflow — one workflow ($1 id, $2 namespace); GET_WORKFLOW_NODES, its nodes, each with the
 * references of the nodes it depends on (times as epoch milliseconds), by reference.
 */
export const GET_WORKFLOW = `
SELECT id, namespace, name, idempotency_key, node_count, created_at FROM workflows WHERE id = $1 AND namespace = $2`;
export const GET_WORKFLOW_NODES = `
SELECT j.workflow_ref AS ref, j.id, j.type, j.queue, j.status, j.attempts, j.max_attempts, j.last_error,
       floor(extract(epoch FROM j.claimed_at) * 1000)::float8 AS claimed_at_ms,
       floor(extract(epoch FROM j.created_at) * 1000)::float8 AS created_at_ms,
       floor(extract(epoch FROM j.updated_at) * 1000)::float8 AS updated_at_ms,
       coalesce((SELECT array_agg(p.workflow_ref ORDER BY p.workflow_ref)
                 FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id
                 WHERE d.child_id = j.id), '{}') AS depends_on
FROM jobs j WHERE j.workflow_id = $1 AND j.namespace = $2
ORDER BY j.workflow_ref`;

/**
 * listWorkflows — a page of a namespace's workflows, newest first: $1 namespace, $2 / $3 the cursor
 * (created_at in whole microseconds since the epoch, and id, of the last one seen; NULL for the
 * first page, as LIST_JOBS), $4 page size.
 */
export const LIST_WORKFLOWS = `
SELECT ${WORKFLOW_SUMMARY}, (extract(epoch FROM w.created_at) * 1000000)::bigint::text AS cursor_micros
FROM (
  SELECT * FROM workflows
  WHERE namespace = $1
    AND ($2::bigint IS NULL
         OR (created_at, id) < (to_timestamp(0) + $2::bigint * interval '1 microsecond', $3::uuid))
  ORDER BY created_at DESC, id DESC
  LIMIT $4
) w ${NODE_AGGREGATE}
ORDER BY w.created_at DESC, w.id DESC`;

/**
 * parentsOf — the dependencies of claimed workflow nodes ($1 uuid[]), each with the reference,
 * status and result of the job depended on: what a node's handler aggregates.
 *
 * Node by node, through the edges' primary key (OFFSET 0 keeps the subquery a lookup per node).
 * Joined as a whole, tables without statistics yet (a new deployment's first workflows, before
 * autovacuum has analysed them) were read end to end at every claim: 20 ms for a claim of 100 nodes
 * of the 10,000-node workflow in `npm run bench`, against 1.5 ms this way.
 */
export const PARENTS_OF = `
SELECT c.child_id, x.ref, x.id, x.status, x.result
FROM unnest($1::uuid[]) AS c(child_id)
CROSS JOIN LATERAL (
  SELECT p.workflow_ref AS ref, p.id, p.status, p.result
  FROM job_dependencies d JOIN jobs p ON p.id = d.parent_id
  WHERE d.child_id = c.child_id
  OFFSET 0
) x`;

/** notifyWorkflowCancel — tells the instances running a workflow's nodes ($1 id, $2 namespace) to stop them (NOTIFY_CANCEL). */
export const NOTIFY_WORKFLOW_CANCEL = `
SELECT pg_notify('conveyor_cancel', id::text) FROM jobs
WHERE workflow_id = $1 AND namespace = $2 AND status = 'processing'`;

/**
 * cancelWorkflow — every node of workflow $1 (namespace $2) in one of the statuses $3 (the cancel
 * move's) is cancelled, a running one's lease void at once, as CANCEL_JOB does for one job. Rows in
 * id order; SKIP LOCKED leaves the nodes someone holds right now (an in-process handler's
 * transaction, told by NOTIFY_WORKFLOW_CANCEL and rolling back) to the caller's next round.
 */
export const CANCEL_WORKFLOW = `
WITH target AS (
  SELECT id FROM jobs WHERE workflow_id = $1 AND namespace = $2 AND status = ANY ($3::text[])
  ORDER BY id FOR UPDATE SKIP LOCKED
)
UPDATE jobs j SET status = 'cancelled', lease_token = NULL, lease_expires_at = NULL,
  last_lease_token = CASE WHEN j.status = 'processing' THEN j.lease_token ELSE j.last_lease_token END,
  last_lease_end = CASE WHEN j.status = 'processing' THEN 'cancelled' ELSE j.last_lease_end END,
  updated_at = now()
FROM target WHERE j.id = target.id AND j.status = ANY ($3::text[])
RETURNING ${JOB_COLUMNS}`;

/**
 * retryWorkflow — every node of workflow $1 (namespace $2) in one of the statuses $3 (the retry
 * move's) starts again with a fresh attempt budget: pending when everything it depends on has
 * completed, else waiting. The trigger then reopens the edges their failures had failed.
 */
export const RETRY_WORKFLOW = `
WITH target AS (
  SELECT id FROM jobs WHERE workflow_id = $1 AND namespace = $2 AND status = ANY ($3::text[])
  ORDER BY id FOR UPDATE
)
UPDATE jobs j SET
  status = CASE WHEN EXISTS (SELECT 1 FROM job_dependencies d WHERE d.child_id = j.id AND d.state <> 'satisfied')
                THEN 'waiting' ELSE 'pending' END,
  attempts = 0, run_at = now(), worker_id = NULL, updated_at = now()
FROM target WHERE j.id = target.id AND j.status = ANY ($3::text[])
RETURNING ${JOB_COLUMNS}`;

/**
 * deleteEmptyWorkflows — retention: up to $2 workflows older than $1 seconds none of whose nodes is
 * left (each node went with DELETE_FINISHED_JOBS, once its whole workflow had finished). Not locked
 * first (the runtime role may not lock workflows): an instance deleting the same rows at once waits,
 * then finds them gone.
 */
export const DELETE_EMPTY_WORKFLOWS = `
WITH doomed AS (
  SELECT id FROM workflows w
  WHERE created_at < now() - make_interval(secs => $1)
    AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.workflow_id = w.id)
  LIMIT $2
)
DELETE FROM workflows w USING doomed WHERE w.id = doomed.id`;

/** History row `e` is a move of the dependent `moved` in the millisecond of `moved.at`. */
const movedThen = (e: string): string =>
  `${e}.job_id = moved.id AND ${e}.occurred_at >= moved.at AND ${e}.occurred_at < moved.at + interval '1 millisecond'`;

/**
 * dependentsMoved — what the trigger jobs_follow_dependencies did to the dependents of jobs $1 in
 * the transactions that moved those jobs ($2: each one's updated_at, that transaction's now(), to
 * the millisecond a JavaScript Date keeps): nodes made pending, cancelled with a failed dependency,
 * or resumed, down the graph as far as the trigger went. Each dependent once per move, in the
 * order of its history. For the lifecycle's transition log, which asks only when it writes debug
 * lines.
 */
export const DEPENDENTS_MOVED = `
WITH RECURSIVE moved(id, at) AS (
  SELECT d.child_id, m.at
  FROM unnest($1::uuid[], $2::timestamptz[]) AS m(id, at)
  JOIN job_dependencies d ON d.parent_id = m.id
  UNION
  SELECT d.child_id, moved.at
  FROM moved JOIN job_dependencies d ON d.parent_id = moved.id
  WHERE EXISTS (SELECT 1 FROM job_events e WHERE ${movedThen('e')})
)
SELECT ${JOB_COLUMNS}, e.from_status, e.to_status
FROM moved
JOIN jobs j ON j.id = moved.id
JOIN job_events e ON ${movedThen('e')}
ORDER BY e.id`;
