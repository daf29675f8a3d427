import pg from 'pg';
import { canTransition, type JobStatus } from '#conveyor/jobs';
import { CHAOS_QUEUE, REST_QUEUE } from './chaos-handlers.js';

const TERMINAL: readonly JobStatus[] = ['completed', 'dead_letter'];
/** The queues of the chaos handlers and the REST workers: whose jobs a scenario checks by default. */
const CHAOS_QUEUES = [CHAOS_QUEUE, REST_QUEUE];

export interface Outcome {
  /** Every broken promise, described; empty when the run kept them all. */
  violations: string[];
  jobs: number;
  completed: number;
  deadLetter: number;
  /** Attempts beyond the first, over all jobs: how much the faults cost. */
  retries: number;
}

interface JobRow {
  id: string;
  type: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  last_lease_token: string | null;
  idempotency_key: string | null;
}

/**
 * The invariants of a chaos run, checked against the client's record of every acknowledged
 * submit once every job has settled:
 * - every acknowledged key names exactly one job, the one acknowledged, and there is no other job;
 * - every job ended in exactly one terminal state, and its history is a chain of legal moves
 *   (claims minus hand-backs equal its attempts, which stay within its limit);
 * - a job of a chaos handler has exactly one effect (written through its transaction) if it
 *   completed, none otherwise; a job run over REST has the effect of the lease that completed it;
 *   a job of the shipped handlers (sleep, noop), which write nothing, is held to its history.
 * Only the jobs of `queues` are checked.
 */
export async function checkInvariants(
  ownerUrl: string,
  acknowledged: ReadonlyMap<string, string>,
  queues: readonly string[] = CHAOS_QUEUES,
): Promise<Outcome> {
  const db = new pg.Client({ connectionString: ownerUrl });
  await db.connect();
  try {
    const { rows: jobs } = await db.query<JobRow>(
      `SELECT j.id, j.type, j.status, j.attempts, j.max_attempts, j.last_lease_token, k.idempotency_key
       FROM jobs j LEFT JOIN job_idempotency_keys k ON k.job_id = j.id AND k.namespace = j.namespace
       WHERE j.queue = ANY ($1)`,
      [queues],
    );
    const { rows: events } = await db.query<{
      job_id: string;
      from_status: JobStatus | null;
      to_status: JobStatus;
    }>(`SELECT job_id, from_status, to_status FROM job_events ORDER BY job_id, id`);
    const { rows: effects } = await db.query<{ job_id: string; n: number }>(
      `SELECT job_id, count(*)::int AS n FROM chaos_effects GROUP BY job_id`,
    );
    const { rows: restEffects } = await db.query<{ job_id: string; lease_token: string }>(
      `SELECT job_id, lease_token FROM chaos_rest_effects`,
    );

    const violations: string[] = [];
    const byId = new Map(jobs.map((job) => [job.id, job]));
    const byKey = new Map(jobs.map((job) => [job.idempotency_key, job]));
    for (const [key, id] of acknowledged) {
      const job = byKey.get(key);
      if (job === undefined) violations.push(`acknowledged submit ${key} (${id}) is lost`);
      else if (job.id !== id) violations.push(`key ${key} was acknowledged as ${id} but names ${job.id}`);
    }
    for (const job of jobs) {
      if (job.idempotency_key === null || !acknowledged.has(job.idempotency_key)) {
        violations.push(
          `job ${job.id} (key ${String(job.idempotency_key)}) was never acknowledged to the client`,
        );
      }
    }

    const historyOf = new Map<string, { from: JobStatus | null; to: JobStatus }[]>();
    for (const event of events) {
      if (!byId.has(event.job_id)) continue;
      const history = historyOf.get(event.job_id) ?? [];
      history.push({ from: event.from_status, to: event.to_status });
      historyOf.set(event.job_id, history);
    }
    const effectCount = new Map(effects.map((row) => [row.job_id, row.n]));
    const restLeases = new Map<string, Set<string>>();
    for (const row of restEffects) {
      const leases = restLeases.get(row.job_id) ?? new Set<string>();
      leases.add(row.lease_token);
      restLeases.set(row.job_id, leases);
    }

    for (const job of jobs) {
      const where = `job ${job.id} (${job.type})`;
      if (!TERMINAL.includes(job.status)) violations.push(`${where} never settled: ${job.status}`);
      if (job.attempts > job.max_attempts)
        violations.push(`${where} ran ${job.attempts} of ${job.max_attempts} attempts`);

      const history = historyOf.get(job.id) ?? [];
      // A submitted job's creation is not stored as an event (the row holds it): it starts pending.
      let status: JobStatus | null = history[0]?.from === null ? null : 'pending';
      let claims = 0;
      let terminals = 0;
      for (const { from, to } of history) {
        if (from !== status)
          violations.push(`${where}: history moves from ${String(from)} but the job was ${String(status)}`);
        else if (from === null ? to !== 'pending' : !canTransition(from, to)) {
          violations.push(`${where}: illegal move ${String(from)} → ${to} in its history`);
        }
        if (to === 'processing') claims += 1;
        if (from === 'processing' && to === 'pending') claims -= 1; // handed back: not an attempt
        if (TERMINAL.includes(to)) terminals += 1;
        status = to;
      }
      if (status !== job.status)
        violations.push(`${where}: history ends in ${String(status)}, the job is ${job.status}`);
      if (terminals !== 1) violations.push(`${where}: ${terminals} moves into a terminal state`);
      if (claims !== job.attempts)
        violations.push(`${where}: ${claims} claims in its history, ${job.attempts} attempts`);

      if (job.type === 'chaos.rest') {
        if (
          job.status === 'completed' &&
          !(restLeases.get(job.id)?.has(job.last_lease_token ?? '') ?? false)
        ) {
          violations.push(`${where} completed without the effect of the lease that completed it`);
        }
      } else if (job.type.startsWith('chaos.')) {
        const expected = job.status === 'completed' ? 1 : 0;
        const actual = effectCount.get(job.id) ?? 0;
        if (actual !== expected) violations.push(`${where} is ${job.status} with ${actual} effects`);
      }
    }
    return {
      violations: violations.slice(0, 30),
      jobs: jobs.length,
      completed: jobs.filter((job) => job.status === 'completed').length,
      deadLetter: jobs.filter((job) => job.status === 'dead_letter').length,
      retries: jobs.reduce((sum, job) => sum + Math.max(0, job.attempts - 1), 0),
    };
  } finally {
    await db.end();
  }
}

/**
 * Waits until every job of `queues` has settled (completed or dead-lettered), or throws after
 * `timeoutMs` with what is still open.
 */
export async function waitUntilSettled(
  ownerUrl: string,
  expected: number,
  timeoutMs: number,
  queues: readonly string[] = CHAOS_QUEUES,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const db = new pg.Client({ connectionString: ownerUrl });
    let open: { status: string; n: number }[] = [];
    let total = -1;
    try {
      await db.connect();
      const { rows } = await db.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM jobs WHERE queue = ANY ($1) GROUP BY status`,
        [queues],
      );
      total = rows.reduce((sum, row) => sum + row.n, 0);
      open = rows.filter((row) => !TERMINAL.includes(row.status as JobStatus));
      if (total === expected && open.length === 0) return;
    } catch {
      // The database may be restarting in this scenario: look again.
    } finally {
      await db.end().catch(() => undefined);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `jobs not settled after ${timeoutMs} ms: ${total} of ${expected} exist, open: ${JSON.stringify(open)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
