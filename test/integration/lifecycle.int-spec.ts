import { CommandBus } from '@nestjs/cqrs';
import {
  ClaimJobCommand,
  CompleteJobCommand,
  FailJobCommand,
  HeartbeatJobCommand,
  JobConflictError,
  type SubmitJobInput,
  SubmitJobCommand,
} from '#conveyor/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertJobRows } from '../support/job-rows.js';
import { createJobsContext, type JobsContext } from '../support/jobs-context.js';

let db: TestDatabase;
let context: JobsContext;
let bus: CommandBus;

beforeAll(async () => {
  db = await createTestDatabase();
  context = await createJobsContext(db.url);
  bus = context.commandBus;
});
afterAll(async () => {
  await context.close();
  await db.drop();
});

let queueCounter = 0;
/** Each test works in its own queue, so claims never see another test's jobs. */
function freshQueue(): string {
  queueCounter += 1;
  return `q${queueCounter}`;
}

function submission(queue: string, overrides: Partial<SubmitJobInput> = {}): SubmitJobCommand {
  return new SubmitJobCommand({
    namespace: 'default',
    type: 'test.job',
    queue,
    payload: { n: 1 },
    priority: 0,
    runAt: null,
    maxAttempts: 3,
    backoff: { type: 'fixed', delayMs: 2000, maxDelayMs: 2000 },
    idempotencyKey: null,
    dedupeWindowSeconds: 86400,
    ...overrides,
  });
}

function claim(queue: string, limit = 1, leaseSeconds = 30, workerId = 'worker-a'): ClaimJobCommand {
  return new ClaimJobCommand({ namespace: 'default', queue, types: null, limit, leaseSeconds, workerId });
}

/** `count` due jobs in `queue`, written in one statement rather than submitted one by one. */
async function insertPending(queue: string, count: number): Promise<void> {
  await insertJobRows(db.client, { status: 'pending', queue, count, maxAttempts: 3 });
}

/** Moves time forward for one job's lease, by the database's own clock. */
async function expireLease(id: string): Promise<void> {
  await db.expireLeases([id]);
}

describe('idempotent submit', () => {
  it.each([
    ['folded in one group commit', {}],
    [
      'racing in the database (no batching)',
      { CONVEYOR_SUBMIT_BATCH_SIZE: '1', CONVEYOR_SUBMIT_CONCURRENCY: '10' },
    ],
  ])('50 concurrent identical submits make one job: %s', async (_label, env) => {
    const racers = await createJobsContext(db.url, env);
    try {
      const queue = freshQueue();
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          racers.commandBus.execute(submission(queue, { idempotencyKey: `same-${queue}` })),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.job.id)).size).toBe(1);
      const { rows } = await db.client.query('SELECT id FROM jobs WHERE queue = $1', [queue]);
      expect(rows).toHaveLength(1);
    } finally {
      await racers.close();
    }
  });

  it('concurrent submits from separate instances still make one job per key', async () => {
    const instances = await Promise.all([1, 2, 3].map(() => createJobsContext(db.url)));
    try {
      const queue = freshQueue();
      const results = await Promise.all(
        instances.flatMap((instance) =>
          Array.from({ length: 20 }, (_, i) =>
            instance.commandBus.execute(submission(queue, { idempotencyKey: `key-${i % 5}` })),
          ),
        ),
      );
      expect(results.filter((result) => result.created)).toHaveLength(5);
      const { rows } = await db.client.query('SELECT idempotency_key FROM jobs WHERE queue = $1', [queue]);
      expect(rows).toHaveLength(5);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it('derives the key from the content when none is given, ignoring payload key order', async () => {
    const queue = freshQueue();
    const first = await bus.execute(submission(queue, { payload: { a: 1, b: { c: 2, d: 3 } } }));
    const second = await bus.execute(submission(queue, { payload: { b: { d: 3, c: 2 }, a: 1 } }));
    const different = await bus.execute(submission(queue, { payload: { a: 2 } }));
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, job: first.job });
    expect(different.created).toBe(true);
  });

  it('creates a new job once the dedupe window has passed', async () => {
    const queue = freshQueue();
    const first = await bus.execute(
      submission(queue, { idempotencyKey: 'windowed', dedupeWindowSeconds: 60 }),
    );
    await db.client.query(
      `UPDATE job_idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = 'windowed'`,
    );
    const second = await bus.execute(
      submission(queue, { idempotencyKey: 'windowed', payload: { other: true } }),
    );
    expect(second.created).toBe(true);
    expect(second.job.id).not.toBe(first.job.id);
  });

  it('frees a key when its job is deleted, by whatever statement, and only the key that job holds', async () => {
    const queue = freshQueue();
    const keys = async () =>
      (
        await db.client.query<{ idempotency_key: string; job_id: string }>(
          `SELECT idempotency_key, job_id FROM job_idempotency_keys
           WHERE idempotency_key IN ('deleted-a', 'deleted-b') ORDER BY idempotency_key`,
        )
      ).rows;
    const a = await bus.execute(submission(queue, { idempotencyKey: 'deleted-a' }));
    const b = await bus.execute(submission(queue, { idempotencyKey: 'deleted-b' }));
    // Key b passes its window and is taken over by a newer job; the old job still exists.
    await db.client.query(
      `UPDATE job_idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = 'deleted-b'`,
    );
    const newerB = await bus.execute(submission(queue, { idempotencyKey: 'deleted-b', payload: { n: 2 } }));
    expect(newerB.created).toBe(true);

    // One DELETE removing several (finished) jobs, as an operator would type it.
    await db.client.query(`UPDATE jobs SET status = 'cancelled' WHERE id = ANY($1)`, [[a.job.id, b.job.id]]);
    await db.client.query('DELETE FROM jobs WHERE id = ANY($1)', [[a.job.id, b.job.id]]);

    expect(await keys()).toEqual([{ idempotency_key: 'deleted-b', job_id: newerB.job.id }]);
    const again = await bus.execute(submission(queue, { idempotencyKey: 'deleted-a', payload: { n: 3 } }));
    expect(again.created).toBe(true);
    expect(again.job.id).not.toBe(a.job.id);
  });
});

describe('claim', () => {
  it('20 concurrent claimers over 500 jobs: every job goes to exactly one lease', async () => {
    const queue = freshQueue();
    await insertPending(queue, 500);
    const claimers = await Promise.all(Array.from({ length: 4 }, () => createJobsContext(db.url)));
    try {
      const claimed: string[] = [];
      await Promise.all(
        Array.from({ length: 20 }, async (_, worker) => {
          const instance = claimers[worker % claimers.length]!;
          for (let round = 0; round < 100; round += 1) {
            const jobs = await instance.commandBus.execute(claim(queue, 7, 30, `worker-${worker}`));
            if (jobs.length === 0) return;
            claimed.push(...jobs.map((job) => job.id));
          }
        }),
      );
      expect(claimed).toHaveLength(500);
      expect(new Set(claimed).size).toBe(500);
      const { rows } = await db.client.query<{ attempts: number; count: string }>(
        `SELECT attempts, count(*) FROM jobs WHERE queue = $1 GROUP BY attempts`,
        [queue],
      );
      expect(rows).toEqual([{ attempts: 1, count: '500' }]);
    } finally {
      await Promise.all(claimers.map((instance) => instance.close()));
    }
  });

  it('hands out higher priority first, then earlier runAt', async () => {
    const queue = freshQueue();
    const low = await bus.execute(submission(queue, { payload: { n: 'low' }, priority: 0 }));
    const high = await bus.execute(submission(queue, { payload: { n: 'high' }, priority: 10 }));
    const early = await bus.execute(
      submission(queue, { payload: { n: 'early' }, priority: 0, runAt: new Date(Date.now() - 60_000) }),
    );
    const jobs = await bus.execute(claim(queue, 10));
    expect(jobs.map((job) => job.id)).toEqual([high.job.id, early.job.id, low.job.id]);
  });

  it('does not hand out jobs scheduled in the future', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue, { runAt: new Date(Date.now() + 3_600_000) }));
    expect(await bus.execute(claim(queue))).toEqual([]);
  });

  it('re-claims expired leases first and fills the slots left with the most urgent due jobs', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue, { payload: { n: 'a' } }));
    await bus.execute(submission(queue, { payload: { n: 'b' } }));
    const abandoned = await bus.execute(claim(queue, 2));
    for (const job of abandoned) await expireLease(job.id);
    const due = new Map<number, string>();
    for (const priority of [1, 5, 3, 0]) {
      const { job } = await bus.execute(submission(queue, { payload: { priority }, priority }));
      due.set(priority, job.id);
    }

    const taken = await bus.execute(claim(queue, 3));
    expect(new Set(taken.map((job) => job.id))).toEqual(
      new Set([...abandoned.map((job) => job.id), due.get(5)]),
    );
    // The due jobs looked at but not taken are not held: the next claim gets them, in order.
    const rest = await bus.execute(claim(queue, 10));
    expect(rest.map((job) => job.id)).toEqual([due.get(3), due.get(1), due.get(0)]);
  });
});

describe('leases and fencing', () => {
  it('the zombie case: a worker whose lease expired and was re-claimed cannot complete', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue));
    const [first] = await bus.execute(claim(queue, 1, 30, 'zombie'));
    await expireLease(first!.id);
    const [second] = await bus.execute(claim(queue, 1, 30, 'rescuer'));
    expect(second!.id).toBe(first!.id);
    expect(second!.attempts).toBe(2);
    expect(second!.leaseToken).not.toBe(first!.leaseToken);

    const zombie = bus.execute(
      new CompleteJobCommand('default', first!.id, first!.leaseToken, { by: 'zombie' }),
    );
    // The zombie's lease is the one that expired: it is told so, not that its token is unknown.
    await expect(zombie).rejects.toMatchObject({ reason: 'lease_expired', currentStatus: 'processing' });
    const done = await bus.execute(
      new CompleteJobCommand('default', second!.id, second!.leaseToken, { by: 'rescuer' }),
    );
    expect(done.job.result).toEqual({ by: 'rescuer' });
  });

  it('an expired lease cannot complete or heartbeat even before anyone re-claims it', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue));
    const [job] = await bus.execute(claim(queue));
    await expireLease(job!.id);
    await expect(
      bus.execute(new CompleteJobCommand('default', job!.id, job!.leaseToken, null)),
    ).rejects.toMatchObject({
      reason: 'lease_expired',
    });
    await expect(
      bus.execute(new HeartbeatJobCommand('default', job!.id, job!.leaseToken, 30)),
    ).rejects.toBeInstanceOf(JobConflictError);
  });

  it('a heartbeat extends the lease by the database clock', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue));
    const [job] = await bus.execute(claim(queue, 1, 5));
    const { leaseExpiresAt } = await bus.execute(
      new HeartbeatJobCommand('default', job!.id, job!.leaseToken, 600),
    );
    const { rows } = await db.client.query<{ seconds: number }>(
      `SELECT extract(epoch FROM lease_expires_at - now())::float8 AS seconds FROM jobs WHERE id = $1`,
      [job!.id],
    );
    expect(rows[0]!.seconds).toBeGreaterThan(590);
    expect(leaseExpiresAt.getTime()).toBeGreaterThan(job!.leaseExpiresAt.getTime());
  });

  it('a heartbeat for less than the lease has left keeps the lease as it is', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue));
    const [job] = await bus.execute(claim(queue, 1, 600));
    const { leaseExpiresAt } = await bus.execute(
      new HeartbeatJobCommand('default', job!.id, job!.leaseToken, 5),
    );
    expect(leaseExpiresAt).toEqual(job!.leaseExpiresAt);
  });
});

describe('failure, backoff and the dead-letter queue', () => {
  it('schedules a retryable failure after the fixed backoff, then hands it out again', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue, { backoff: { type: 'fixed', delayMs: 2000, maxDelayMs: 2000 } }));
    const [job] = await bus.execute(claim(queue));
    const { job: failed } = await bus.execute(
      new FailJobCommand('default', job!.id, job!.leaseToken, 'boom', true),
    );
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toBe('boom');
    const { rows } = await db.client.query<{ delay: number }>(
      `SELECT extract(epoch FROM run_at - updated_at)::float8 AS delay FROM jobs WHERE id = $1`,
      [job!.id],
    );
    expect(rows[0]!.delay).toBeCloseTo(2, 3);
    expect(await bus.execute(claim(queue))).toEqual([]);

    await db.client.query(`UPDATE jobs SET run_at = now() WHERE id = $1`, [job!.id]);
    const [again] = await bus.execute(claim(queue));
    expect(again).toMatchObject({ id: job!.id, attempts: 2, status: 'processing' });
  });

  it('keeps exponential delays within [0, min(max, base * 2^(attempt-1))]', async () => {
    const queue = freshQueue();
    const backoff = { type: 'exponential' as const, delayMs: 1000, maxDelayMs: 3000 };
    await bus.execute(submission(queue, { maxAttempts: 10, backoff }));
    const caps = [1, 2, 3, 3, 3];
    for (const cap of caps) {
      await db.client.query(`UPDATE jobs SET run_at = now() WHERE queue = $1`, [queue]);
      const [job] = await bus.execute(claim(queue));
      await bus.execute(new FailJobCommand('default', job!.id, job!.leaseToken, 'again', true));
      const { rows } = await db.client.query<{ delay: number }>(
        `SELECT extract(epoch FROM run_at - updated_at)::float8 AS delay FROM jobs WHERE id = $1`,
        [job!.id],
      );
      expect(rows[0]!.delay).toBeGreaterThanOrEqual(0);
      expect(rows[0]!.delay).toBeLessThanOrEqual(cap);
    }
  });

  it('dead-letters after maxAttempts failures', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue, { maxAttempts: 2 }));
    const [first] = await bus.execute(claim(queue));
    expect(
      (await bus.execute(new FailJobCommand('default', first!.id, first!.leaseToken, 'one', true))).job
        .status,
    ).toBe('failed');
    await db.client.query(`UPDATE jobs SET run_at = now() WHERE id = $1`, [first!.id]);
    const [second] = await bus.execute(claim(queue));
    const last = await bus.execute(
      new FailJobCommand('default', second!.id, second!.leaseToken, 'two', true),
    );
    expect(last.job).toMatchObject({ status: 'dead_letter', attempts: 2, lastError: 'two' });
  });

  it('dead-letters at once on a permanent failure', async () => {
    const queue = freshQueue();
    await bus.execute(submission(queue));
    const [job] = await bus.execute(claim(queue));
    const failed = await bus.execute(
      new FailJobCommand('default', job!.id, job!.leaseToken, 'bad input', false),
    );
    expect(failed.job).toMatchObject({ status: 'dead_letter', attempts: 1 });
  });

  it('a job whose worker dies on every attempt ends in dead_letter and does not block the queue', async () => {
    const queue = freshQueue();
    const poison = await bus.execute(
      submission(queue, { payload: { poison: true }, maxAttempts: 2, priority: 5 }),
    );
    const healthy = await bus.execute(submission(queue, { payload: { poison: false } }));
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const [job] = await bus.execute(claim(queue));
      expect(job!.id).toBe(poison.job.id);
      await expireLease(job!.id); // the worker died holding it
    }
    // The third claim finds the poison job exhausted: it is dead-lettered, and the healthy job is handed out.
    const [next] = await bus.execute(claim(queue));
    expect(next!.id).toBe(healthy.job.id);
    const { rows } = await db.client.query<{ status: string; attempts: number; last_error: string }>(
      'SELECT status, attempts, last_error FROM jobs WHERE id = $1',
      [poison.job.id],
    );
    expect(rows[0]).toEqual({ status: 'dead_letter', attempts: 2, last_error: 'lease expired' });
  });
});
