import { canTransition, JOB_STATUSES, type JobStatus } from '#conveyor/jobs';
import { GET_JOB_WITH_HISTORY } from '../../libs/jobs/src/infrastructure/sql/read.sql.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

// PostgreSQL must refuse what the aggregate refuses, even for raw SQL that bypasses the service.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function insertJob(status: JobStatus): Promise<string> {
  const leased = status === 'processing';
  const { rows } = await db.client.query<{ id: string }>(
    `INSERT INTO jobs (id, namespace, queue, type, payload, status, max_attempts, backoff, idempotency_key,
                       lease_token, lease_expires_at)
     VALUES (gen_random_uuid(), 'default', 'default', 't', '{}', $1, 5, '{}', gen_random_uuid()::text,
             CASE WHEN $2 THEN gen_random_uuid() END, CASE WHEN $2 THEN now() + interval '1 minute' END)
     RETURNING id`,
    [status, leased],
  );
  return rows[0]!.id;
}

/** The job's history as GET /v1/jobs/:id reads it: [from, to, attempt, worker, error, epoch ms]. */
async function historyOf(id: string): Promise<[string | null, string, number, unknown, unknown, number][]> {
  const { rows } = await db.client.query<{
    history: [string | null, string, number, unknown, unknown, number][];
  }>(GET_JOB_WITH_HISTORY, [id, 'default']);
  return rows[0]!.history;
}

/** A raw status change that keeps the lease columns consistent, so only the trigger can object. */
async function rawMove(id: string, to: JobStatus): Promise<void> {
  await db.client.query(
    `UPDATE jobs SET status = $2::text,
       lease_token = CASE WHEN $2::text = 'processing' THEN gen_random_uuid() END,
       lease_expires_at = CASE WHEN $2::text = 'processing' THEN now() + interval '1 minute' END
     WHERE id = $1`,
    [id, to],
  );
}

const changes = JOB_STATUSES.flatMap((from) =>
  JOB_STATUSES.filter((to) => to !== from || from === 'processing').map((to): [JobStatus, JobStatus] => [
    from,
    to,
  ]),
);

describe('the jobs_guard_transition trigger', () => {
  it.each(changes)('%s -> %s agrees with the domain table', async (from, to) => {
    const id = await insertJob(from);
    if (canTransition(from, to)) {
      await expect(rawMove(id, to)).resolves.toBeUndefined();
    } else {
      await expect(rawMove(id, to)).rejects.toThrow(`illegal job status transition ${from} -> ${to}`);
    }
  });

  it('refuses the textbook corruption: completing a pending job behind the service', async () => {
    const id = await insertJob('pending');
    await expect(
      db.client.query(`UPDATE jobs SET status = 'completed' WHERE id = $1`, [id]),
    ).rejects.toMatchObject({
      code: '23514',
    });
    const { rows } = await db.client.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [id]);
    expect(rows[0]!.status).toBe('pending');
  });

  it('rejects unknown statuses and a processing job without a lease', async () => {
    const id = await insertJob('pending');
    await expect(db.client.query(`UPDATE jobs SET status = 'done' WHERE id = $1`, [id])).rejects.toThrow();
    await expect(
      db.client.query(`UPDATE jobs SET status = 'processing' WHERE id = $1`, [id]),
    ).rejects.toThrow(/jobs_lease_check/);
  });

  it('records every raw transition in job_events, with the attempt and database time', async () => {
    const id = await insertJob('pending');
    await rawMove(id, 'cancelled');
    const stored = await db.client.query<{ from_status: string | null; to_status: string }>(
      'SELECT from_status, to_status FROM job_events WHERE job_id = $1 ORDER BY id',
      [id],
    );
    // A submitted job (pending, no attempt) is its own creation record: the row's created_at.
    expect(stored.rows.map((row) => [row.from_status, row.to_status])).toEqual([['pending', 'cancelled']]);

    const history = await historyOf(id);
    expect(history.map(([from, to, attempt]) => [from, to, attempt])).toEqual([
      [null, 'pending', 0],
      ['pending', 'cancelled', 0],
    ]);
    const created = await db.client.query<{ created_at: Date }>('SELECT created_at FROM jobs WHERE id = $1', [
      id,
    ]);
    expect(history[0]![5]).toEqual(created.rows[0]!.created_at.getTime());
  });

  it('stores the creation of a job inserted in any other state, and derives none besides', async () => {
    const id = await insertJob('completed');
    const history = await historyOf(id);
    expect(history.map(([from, to]) => [from, to])).toEqual([[null, 'completed']]);
  });
});
