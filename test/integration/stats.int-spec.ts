import {
  ClaimJobCommand,
  CompleteJobCommand,
  FailJobCommand,
  GetQueueStatsQuery,
  type JobStats,
  SubmitJobCommand,
} from '#conveyor/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createJobsContext, type JobsContext } from '../support/jobs-context.js';

let db: TestDatabase;
let context: JobsContext;
beforeAll(async () => {
  db = await createTestDatabase();
  context = await createJobsContext(db.url);
});
afterAll(async () => {
  await context.close();
  await db.drop();
});

const bus = () => context.commandBus;
const stats = (): Promise<JobStats> => context.queryBus.execute(new GetQueueStatsQuery('default'));

function submit(queue: string, n: number) {
  return bus().execute(
    new SubmitJobCommand({
      namespace: 'default',
      type: 'stat',
      queue,
      payload: { n },
      priority: 0,
      runAt: null,
      maxAttempts: 2,
      backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
      idempotencyKey: null,
      dedupeWindowSeconds: null,
    }),
  );
}

const claim = (queue: string, limit: number) =>
  bus().execute(
    new ClaimJobCommand({ namespace: 'default', queue, types: null, limit, leaseSeconds: 30, workerId: 'w' }),
  );

/** What the counters must equal: the truth, counted the slow way. */
async function truth(): Promise<Record<string, Record<string, number>>> {
  const { rows } = await db.client.query<{ queue: string; status: string; n: number }>(
    'SELECT queue, status, count(*)::int AS n FROM jobs GROUP BY queue, status',
  );
  const result: Record<string, Record<string, number>> = {};
  for (const row of rows) (result[row.queue] ??= {})[row.status] = row.n;
  return result;
}

function observed(snapshot: JobStats): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const queue of snapshot.queues) {
    for (const [status, n] of Object.entries(queue.counts))
      if (n !== 0) (result[queue.queue] ??= {})[status] = n;
  }
  return result;
}

it('keeps exact counts through every kind of change, before and after compaction', async () => {
  await Promise.all(Array.from({ length: 40 }, (_, n) => submit('alpha', n)));
  await Promise.all(Array.from({ length: 10 }, (_, n) => submit('beta', n)));
  const claimed = await claim('alpha', 25);
  await Promise.all(
    claimed
      .slice(0, 10)
      .map((job) => bus().execute(new CompleteJobCommand('default', job.id, job.leaseToken, null))),
  );
  await Promise.all(
    claimed
      .slice(10, 15)
      .map((job) => bus().execute(new FailJobCommand('default', job.id, job.leaseToken, 'x', true))),
  );
  await Promise.all(
    claimed
      .slice(15, 18)
      .map((job) => bus().execute(new FailJobCommand('default', job.id, job.leaseToken, 'x', false))),
  );
  await db.client.query(
    `UPDATE jobs SET status = 'cancelled' WHERE queue = 'beta' AND payload->>'n' IN ('1', '2')`,
  );
  await db.client.query(
    `DELETE FROM jobs WHERE queue = 'beta' AND status = 'cancelled' AND payload->>'n' = '1'`,
  );

  expect(observed(await stats())).toEqual(await truth());
  await db.client.query('SELECT conveyor_compact_job_stats()');
  const { rows } = await db.client.query<{ n: number }>('SELECT count(*)::int AS n FROM job_stat_deltas');
  expect(rows[0]!.n).toBe(0);
  expect(observed(await stats())).toEqual(await truth());
  expect(await truth()).toMatchObject({
    alpha: { pending: 15, processing: 7, completed: 10, failed: 5, dead_letter: 3 },
    beta: { pending: 8, cancelled: 1 },
  });
});

it('reports throughput per minute, the oldest pending job and latency percentiles', async () => {
  const snapshot = await stats();
  const alpha = snapshot.queues.find((queue) => queue.queue === 'alpha')!;
  expect(alpha.throughput.completed['1m']).toBe(10);
  expect(alpha.throughput.completed['5m']).toBeCloseTo(2, 5);
  expect(alpha.throughput.completed['15m']).toBeCloseTo(10 / 15, 5);
  expect(alpha.throughput.failed['1m']).toBe(5);
  expect(alpha.throughput.deadLettered['1m']).toBe(3);
  expect(alpha.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
  expect(snapshot.latency.sample).toBe(10);
  expect(snapshot.latency.waitSeconds!.p50).toBeGreaterThanOrEqual(0);
  expect(snapshot.latency.runSeconds!.p99).toBeGreaterThanOrEqual(snapshot.latency.runSeconds!.p50);
});

it('answers from the counters without scanning the jobs table', async () => {
  const { rows } = await db.client.query<{ plan: string }>(
    `EXPLAIN SELECT queue, status, sum(count) FROM (
       SELECT queue, status, count FROM job_counts WHERE namespace = 'default'
       UNION ALL SELECT queue, status, delta FROM job_stat_deltas WHERE namespace = 'default') c
     GROUP BY queue, status`,
  );
  const plan = rows.map((row) => Object.values(row)[0]).join('\n');
  expect(plan).not.toMatch(/on jobs\b/);
});
