import type pg from 'pg';
import type { JobStatus } from '#conveyor/jobs';

/** Jobs to put in the database for a test, all alike. */
export interface JobRowSpec {
  status: JobStatus;
  count?: number;
  namespace?: string;
  queue?: string;
  type?: string;
  /** Merged into each job's payload beside `i`, its number (1 to count). */
  payload?: Record<string, unknown>;
  /** Attempts started (a processing job's current one included). Default: 0 pending, else 1. */
  attempts?: number;
  maxAttempts?: number;
  backoff?: Record<string, unknown>;
  priority?: number;
  concurrencyKey?: string;
  /** A processing job whose lease has run out (by the database clock). */
  leaseExpired?: boolean;
  /** The error of failed attempts. */
  error?: string;
  /** How the last attempt of a failed or dead-lettered job ended: its worker failed it (default), or its lease expired (reaped). */
  lastLeaseEnd?: 'failed' | 'expired';
  /** A pending job that was claimed and handed back (its last lease released). */
  handedBack?: boolean;
  /** A completed job's result. */
  result?: unknown;
  /** How long ago the job last changed (updated_at), for retention. */
  ageSeconds?: number;
  /**
   * Workflow nodes waiting for a parent node that has not run (implied by status `waiting`; for
   * `cancelled`, a node cancelled while it waited). The parent is made too, pending.
   */
  waitingOnParent?: boolean;
}

/**
 * The lifecycle's own moves, as raw SQL on the rows with ids $1 (uuid[]). A claim's lease runs an
 * hour, or has run out already: no writer may end a live lease (a heartbeat only extends one).
 */
const CLAIM = (leaseEnd = "now() + interval '1 hour'"): string => `
  UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_token = gen_random_uuid(),
    lease_expires_at = ${leaseEnd}, claimed_at = now(), worker_id = 'fixture', updated_at = now()
  WHERE id = ANY ($1)`;
const LEAVE = (status: JobStatus, end: string, extra = ''): string => `
  UPDATE jobs SET status = '${status}', last_lease_token = lease_token, last_lease_end = '${end}',
    lease_token = NULL, lease_expires_at = NULL, updated_at = now()${extra}
  WHERE id = ANY ($1)`;
const FAIL = LEAVE('failed', 'failed', ', last_error = $2, run_at = now()');

/**
 * Jobs in any state, built the only way the database allows (migration GuardedJobs): born pending,
 * then moved by the lifecycle's own transitions (claims, failures, a completion, a cancel), as the
 * schema's owner. One statement per step for all `count` jobs. Returns their ids, in order.
 */
export async function insertJobRows(client: pg.Client, spec: JobRowSpec): Promise<string[]> {
  const { status, count = 1 } = spec;
  if (status === 'waiting' || spec.waitingOnParent === true) return insertWaitingNodes(client, spec);
  const attempts = spec.attempts ?? (status === 'pending' || status === 'cancelled' ? 0 : 1);
  if (status === 'pending' && attempts !== 0) throw new Error('a pending fixture has no attempt');
  if (
    (status === 'processing' || status === 'completed' || status === 'failed' || status === 'dead_letter') &&
    attempts < 1
  ) {
    throw new Error(`a ${status} fixture has at least one attempt`);
  }
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, priority, max_attempts, backoff,
                       idempotency_key, concurrency_key)
     SELECT gen_random_uuid(), $2, $3, $4, $5::jsonb || jsonb_build_object('i', i), 'pending', $6, $7, $8,
            'fixture-' || gen_random_uuid(), $9
     FROM generate_series(1, $1) AS i
     RETURNING id`,
    [
      count,
      spec.namespace ?? 'default',
      spec.queue ?? 'default',
      spec.type ?? 'fixture',
      JSON.stringify(spec.payload ?? {}),
      spec.priority ?? 0,
      spec.maxAttempts ?? Math.max(5, attempts),
      JSON.stringify(spec.backoff ?? { type: 'fixed', delayMs: 1000, maxDelayMs: 1000 }),
      spec.concurrencyKey ?? null,
    ],
  );
  const ids = rows.map((row) => row.id);
  const error = spec.error ?? 'fixture failure';
  const lastEnd = spec.lastLeaseEnd ?? 'failed';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const last = attempt === attempts;
    const expired = last && status === 'processing' && spec.leaseExpired === true;
    await client.query(CLAIM(expired ? "now() - interval '1 second'" : undefined), [ids]);
    if (!last || status === 'cancelled') await client.query(FAIL, [ids, error]);
    else if (status === 'failed')
      await client.query(LEAVE('failed', lastEnd, ', last_error = $2, run_at = now()'), [ids, error]);
  }
  switch (status) {
    case 'pending':
      if (spec.handedBack === true) {
        await client.query(CLAIM(), [ids]);
        await client.query(LEAVE('pending', 'released', ', attempts = attempts - 1, run_at = now()'), [ids]);
      }
      break;
    case 'failed':
    case 'processing':
      break;
    case 'completed':
      await client.query(LEAVE('completed', 'completed', ', result = $2'), [
        ids,
        JSON.stringify(spec.result ?? null),
      ]);
      break;
    case 'dead_letter':
      await client.query(LEAVE('dead_letter', lastEnd, ', last_error = $2'), [ids, error]);
      break;
    case 'cancelled':
      await client.query(`UPDATE jobs SET status = 'cancelled', updated_at = now() WHERE id = ANY ($1)`, [
        ids,
      ]);
      break;
  }
  if (spec.ageSeconds !== undefined) {
    await client.query(`UPDATE jobs SET updated_at = now() - make_interval(secs => $2) WHERE id = ANY ($1)`, [
      ids,
      spec.ageSeconds,
    ]);
  }
  return ids;
}

/**
 * Workflow nodes, each waiting for the same parent node (pending, never run, in a queue of its own:
 * `fixture-parents`): born waiting, then cancelled for a `cancelled` spec. One workflow per call.
 */
async function insertWaitingNodes(client: pg.Client, spec: JobRowSpec): Promise<string[]> {
  const { status, count = 1 } = spec;
  if (status !== 'waiting' && status !== 'cancelled') throw new Error(`a ${status} fixture does not wait`);
  const { rows } = await client.query<{ id: string }>(
    `WITH wf AS (
       INSERT INTO workflows (id, namespace, fingerprint, node_count)
       VALUES (gen_random_uuid(), $2, 'fixture', $1 + 1) RETURNING id
     ),
     parent AS (
       INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key,
                         workflow_id, workflow_ref)
       SELECT gen_random_uuid(), $2, 'fixture-parents', $4, '{}', 'pending', $6, $7, 'fixture-' || gen_random_uuid(),
              wf.id, 'parent'
       FROM wf RETURNING id
     ),
     nodes AS (
       INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key,
                         workflow_id, workflow_ref)
       SELECT gen_random_uuid(), $2, $3, $4, $5::jsonb || jsonb_build_object('i', i), 'waiting', $6, $7,
              'fixture-' || gen_random_uuid(), wf.id, 'node-' || i
       FROM wf CROSS JOIN generate_series(1, $1) AS i
       RETURNING id
     ),
     edges AS (
       INSERT INTO job_dependencies (child_id, parent_id, on_failure)
       SELECT nodes.id, parent.id, 'cancel' FROM nodes CROSS JOIN parent
     )
     SELECT id FROM nodes`,
    [
      count,
      spec.namespace ?? 'default',
      spec.queue ?? 'default',
      spec.type ?? 'fixture',
      JSON.stringify(spec.payload ?? {}),
      spec.maxAttempts ?? 5,
      JSON.stringify(spec.backoff ?? { type: 'fixed', delayMs: 1000, maxDelayMs: 1000 }),
    ],
  );
  const ids = rows.map((row) => row.id);
  if (status === 'cancelled') {
    await client.query(`UPDATE jobs SET status = 'cancelled', updated_at = now() WHERE id = ANY ($1)`, [ids]);
  }
  return ids;
}

/** The state of one job's row, as the guards and the explainer see it. */
export interface JobRowState {
  id: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  lease_token: string | null;
  last_lease_token: string | null;
  last_lease_end: string | null;
  last_error: string | null;
  result: unknown;
  run_at: Date;
  updated_at: Date;
}

export async function jobRowState(client: pg.Client, id: string): Promise<JobRowState> {
  const { rows } = await client.query<JobRowState>(
    `SELECT id, status, attempts, max_attempts, lease_token, last_lease_token, last_lease_end, last_error,
            result, run_at, updated_at
     FROM jobs WHERE id = $1`,
    [id],
  );
  const [row] = rows;
  if (row === undefined) throw new Error(`no job ${id}`);
  return row;
}
