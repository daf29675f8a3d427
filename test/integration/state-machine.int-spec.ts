import pg from 'pg';
import {
  canTransition,
  GetJobQuery,
  JOB_STATUSES,
  type JobStatus,
  type JobWithHistory,
} from '#conveyor/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertJobRows, jobRowState } from '../support/job-rows.js';
import { createJobsContext, type JobsContext } from '../support/jobs-context.js';

// PostgreSQL refuses what the lifecycle refuses, for anyone with SQL access to the database, not
// only the service (migration GuardedJobs, docs/state-machine.md "What the database enforces"):
// the owner runs into the triggers, and the service's runtime role has no privilege to go around
// them.

let db: TestDatabase;
/** The service's own role: least privilege. */
let runtime: pg.Client;
let jobs: JobsContext;
beforeAll(async () => {
  db = await createTestDatabase();
  runtime = new pg.Client({ connectionString: db.url });
  await runtime.connect();
  jobs = await createJobsContext(db.url);
});
afterAll(async () => {
  await jobs.close();
  await runtime.end();
  await db.drop();
});

/** A job in `status`, made through legal moves; processing ones hold a live lease. */
async function jobIn(
  status: JobStatus,
  spec: { attempts?: number; maxAttempts?: number; waitingOnParent?: boolean; leaseExpired?: boolean } = {},
): Promise<string> {
  const [id] = await insertJobRows(db.client, { status, ...spec });
  return id!;
}

const run = (sql: string, id: string, client: pg.Client = db.client) => client.query(sql, [id]);

/** The lifecycle's own statement for each legal change, as raw SQL on job $1. */
const LEGAL_MOVES: Record<string, string | string[]> = {
  'pending->processing': `UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_token = gen_random_uuid(),
    lease_expires_at = now() + interval '1 minute', claimed_at = now() WHERE id = $1`,
  'failed->processing': `UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_token = gen_random_uuid(),
    lease_expires_at = now() + interval '1 minute', claimed_at = now() WHERE id = $1`,
  'processing->completed': `UPDATE jobs SET status = 'completed', result = '1', last_lease_token = lease_token,
    last_lease_end = 'completed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
  'processing->failed': `UPDATE jobs SET status = 'failed', last_error = 'x', last_lease_token = lease_token,
    last_lease_end = 'failed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
  'processing->dead_letter': `UPDATE jobs SET status = 'dead_letter', last_error = 'x', last_lease_token = lease_token,
    last_lease_end = 'failed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
  // A re-claim: only once the lease has run out (the test's job holds one that has), as a new attempt.
  'processing->processing': `UPDATE jobs SET attempts = attempts + 1, lease_token = gen_random_uuid(),
    lease_expires_at = now() + interval '1 minute', last_lease_token = lease_token, last_lease_end = 'expired'
    WHERE id = $1`,
  'processing->pending': `UPDATE jobs SET status = 'pending', attempts = attempts - 1, last_lease_token = lease_token,
    last_lease_end = 'released', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
  'processing->cancelled': `UPDATE jobs SET status = 'cancelled', last_lease_token = lease_token,
    last_lease_end = 'cancelled', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
  'pending->cancelled': `UPDATE jobs SET status = 'cancelled' WHERE id = $1`,
  'failed->cancelled': `UPDATE jobs SET status = 'cancelled' WHERE id = $1`,
  'dead_letter->pending': `UPDATE jobs SET status = 'pending', attempts = 0, run_at = now() WHERE id = $1`,
  'cancelled->pending': `UPDATE jobs SET status = 'pending', attempts = 0, run_at = now() WHERE id = $1`,
  // A workflow node whose last dependency completed: its parent is run (the trigger
  // jobs_follow_dependencies then makes it pending).
  'waiting->pending': [
    `UPDATE jobs SET status = 'processing', attempts = 1, lease_token = gen_random_uuid(),
      lease_expires_at = now() + interval '1 minute'
     WHERE id IN (SELECT parent_id FROM job_dependencies WHERE child_id = $1)`,
    `UPDATE jobs SET status = 'completed', last_lease_token = lease_token, last_lease_end = 'completed',
      lease_token = NULL, lease_expires_at = NULL
     WHERE id IN (SELECT parent_id FROM job_dependencies WHERE child_id = $1)`,
  ],
  'waiting->cancelled': `UPDATE jobs SET status = 'cancelled' WHERE id = $1`,
  'cancelled->waiting': `UPDATE jobs SET status = 'waiting', attempts = 0 WHERE id = $1`,
};

const changes = JOB_STATUSES.flatMap((from) =>
  JOB_STATUSES.filter((to) => to !== from || from === 'processing').map((to): [JobStatus, JobStatus] => [
    from,
    to,
  ]),
);

describe('the status table, pair by pair', () => {
  it('has a statement for every legal change, and only those', () => {
    expect(Object.keys(LEGAL_MOVES).sort()).toEqual(
      changes
        .filter(([from, to]) => canTransition(from, to))
        .map(([from, to]) => `${from}->${to}`)
        .sort(),
    );
  });

  it.each(changes)('%s -> %s agrees with the domain table', async (from, to) => {
    const id = await jobIn(from, {
      attempts: from === 'pending' || from === 'cancelled' ? 0 : 1,
      leaseExpired: from === 'processing' && to === 'processing',
    });
    const legal = LEGAL_MOVES[`${from}->${to}`];
    if (legal !== undefined) {
      for (const statement of [legal].flat()) await run(statement, id);
      expect((await jobRowState(db.client, id)).status).toBe(to);
    } else {
      await expect(
        run(
          `UPDATE jobs SET status = '${to}', lease_token = CASE WHEN '${to}' = 'processing' THEN gen_random_uuid() END,
             lease_expires_at = CASE WHEN '${to}' = 'processing' THEN now() + interval '1 minute' END WHERE id = $1`,
          id,
        ),
      ).rejects.toThrow(`illegal job status transition ${from} -> ${to}`);
    }
  });

  it('refuses unknown statuses', async () => {
    const id = await jobIn('pending');
    await expect(run(`UPDATE jobs SET status = 'done' WHERE id = $1`, id)).rejects.toThrow();
  });
});

describe('what the database refuses besides the status table', () => {
  const refusals: [string, JobStatus, string, RegExp][] = [
    [
      'attempts lowered on a held job',
      'processing',
      `UPDATE jobs SET attempts = 0 WHERE id = $1`,
      /jobs_guard|changes only the end of its lease/,
    ],
    [
      'attempts lowered on a failed job',
      'failed',
      `UPDATE jobs SET attempts = 0 WHERE id = $1`,
      /changes only its schedule/,
    ],
    [
      'attempts raised past the limit',
      'failed',
      `UPDATE jobs SET attempts = max_attempts + 1 WHERE id = $1`,
      /jobs_attempts_limit_check|schedule/,
    ],
    [
      'a completed job\u2019s result rewritten',
      'completed',
      `UPDATE jobs SET result = '"forged"' WHERE id = $1`,
      /changes only its schedule/,
    ],
    [
      'a result written on a failure',
      'processing',
      `UPDATE jobs SET status = 'failed', result = '1', last_lease_token = lease_token,
       last_lease_end = 'failed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
      /result is written only when the job completes/,
    ],
    [
      'a live lease\u2019s token replaced',
      'processing',
      `UPDATE jobs SET lease_token = gen_random_uuid() WHERE id = $1`,
      /only once its lease has expired/,
    ],
    [
      'a lease given to a job without a claim',
      'failed',
      `UPDATE jobs SET lease_token = gen_random_uuid(),
       lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
      /jobs_lease_check|schedule/,
    ],
    [
      'a completion that does not record its lease',
      'processing',
      `UPDATE jobs SET status = 'completed', lease_token = NULL,
       lease_expires_at = NULL WHERE id = $1`,
      /records the lease it was held under/,
    ],
    [
      'a claim that counts no attempt',
      'pending',
      `UPDATE jobs SET status = 'processing', lease_token = gen_random_uuid(),
       lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
      /a claim counts one attempt/,
    ],
    [
      'a heartbeat that changes more than the lease',
      'processing',
      `UPDATE jobs SET lease_expires_at = now() + interval '1 hour',
       worker_id = 'someone else' WHERE id = $1`,
      /changes only the end of its lease/,
    ],
    // Else a job could be taken from its worker in two steps: its lease ended now, then a re-claim.
    [
      'a live lease ended before its time',
      'processing',
      `UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = $1`,
      /never shortens/,
    ],
    [
      'a live lease shortened',
      'processing',
      `UPDATE jobs SET lease_expires_at = lease_expires_at - interval '1 minute' WHERE id = $1`,
      /never shortens/,
    ],
    [
      'a waiting node made pending before its dependency completed',
      'waiting',
      `UPDATE jobs SET status = 'pending' WHERE id = $1`,
      /only once every job it depends on has completed/,
    ],
    [
      'a cancelled node retried to pending before its dependency completed',
      'cancelled',
      `UPDATE jobs SET status = 'pending', attempts = 0 WHERE id = $1`,
      /only once every job it depends on has completed/,
    ],
    ['a pending job deleted', 'pending', `DELETE FROM jobs WHERE id = $1`, /only a finished job is deleted/],
    ['a held job deleted', 'processing', `DELETE FROM jobs WHERE id = $1`, /only a finished job is deleted/],
    [
      'history rewritten',
      'completed',
      `UPDATE job_events SET to_status = 'failed' WHERE job_id = $1`,
      /job history is written once/,
    ],
    [
      'history deleted without its job',
      'completed',
      `DELETE FROM job_events WHERE job_id = $1`,
      /job history is written once/,
    ],
  ];

  it.each(refusals)('%s (as the schema owner)', async (_label, status, sql, message) => {
    const id = await jobIn(status, message.source.includes('depends on') ? { waitingOnParent: true } : {});
    const before = await jobRowState(db.client, id);
    await expect(run(sql, id)).rejects.toThrow(message);
    expect(await jobRowState(db.client, id)).toEqual(before);
  });

  it.each([
    [
      'completed',
      "INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key) VALUES (gen_random_uuid(), 'default', 'q', 't', '{}', 'completed', 1, '{}', gen_random_uuid()::text)",
    ],
    [
      'pending, with attempts',
      "INSERT INTO jobs (id, namespace, queue, type, payload, status, attempts, max_attempts, backoff, idempotency_key) VALUES (gen_random_uuid(), 'default', 'q', 't', '{}', 'pending', 1, 3, '{}', gen_random_uuid()::text)",
    ],
    [
      'pending, with a result',
      "INSERT INTO jobs (id, namespace, queue, type, payload, status, result, max_attempts, backoff, idempotency_key) VALUES (gen_random_uuid(), 'default', 'q', 't', '{}', 'pending', '1', 3, '{}', gen_random_uuid()::text)",
    ],
  ])('a job born %s', async (_label, sql) => {
    await expect(db.client.query(sql)).rejects.toThrow(/born pending/);
  });

  it('a finished job goes with its history, and one made again with its id starts a history of its own', async () => {
    const id = await jobIn('completed');
    await run(`DELETE FROM jobs WHERE id = $1`, id);
    const { rows } = await db.client.query('SELECT 1 FROM job_events WHERE job_id = $1', [id]);
    expect(rows).toHaveLength(0);
    await db.client.query(
      `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key)
       VALUES ($1, 'default', 'q', 't', '{}', 'pending', 1, '{}', gen_random_uuid()::text)`,
      [id],
    );
    const job = await jobs.queryBus.execute(new GetJobQuery('default', id));
    expect(job.events.map((event: JobWithHistory['events'][number]) => event.toStatus)).toEqual(['pending']);
  });
});

describe('the runtime role has no privilege to go around the guards', () => {
  it.each([
    ['rewrite what a job is', `UPDATE jobs SET payload = '{"forged":true}' WHERE id = $1`],
    ['move a job to another namespace', `UPDATE jobs SET namespace = 'other' WHERE id = $1`],
    [
      'write history',
      `INSERT INTO job_events (job_id, from_status, to_status, attempt) VALUES ($1, 'pending', 'completed', 1)`,
    ],
    ['delete history', `DELETE FROM job_events WHERE job_id = $1`],
    ['truncate the jobs', `TRUNCATE jobs`],
    ['switch the guard off', `ALTER TABLE jobs DISABLE TRIGGER jobs_guard`],
    ['switch every trigger off for the session', `SET session_replication_role = replica`],
    ['drop the guard', `DROP TRIGGER jobs_guard ON jobs`],
    ['delete API keys', `DELETE FROM api_keys`],
    ['satisfy a dependency', `UPDATE job_dependencies SET state = 'satisfied' WHERE child_id = $1`],
    ['remove a dependency', `DELETE FROM job_dependencies WHERE child_id = $1`],
  ])('may not %s', async (_label, sql) => {
    const id = await jobIn(sql.includes('job_dependencies') ? 'waiting' : 'pending');
    const before = await jobRowState(db.client, id);
    await expect(runtime.query(sql, sql.includes('$1') ? [id] : [])).rejects.toThrow(
      /permission denied|must be owner|must be superuser|cannot|not allowed/,
    );
    expect(await jobRowState(db.client, id)).toEqual(before);
  });

  it('may move jobs as the lifecycle does', async () => {
    const id = await jobIn('pending');
    await runtime.query(LEGAL_MOVES['pending->processing'] as string, [id]);
    expect((await jobRowState(db.client, id)).status).toBe('processing');
  });
});
