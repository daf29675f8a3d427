// What keeps a table of millions of jobs as fast as an empty one (docs/scaling.md, "Ten million
// jobs"), held on real PostgreSQL: ids that sort by creation time, and autovacuum set to come by
// at 2 % dead rows. The figures themselves come from `npm run bench:10m`.
import { SubmitJobCommand } from '#conveyor/jobs';
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

const submit = (n: number) =>
  context.commandBus.execute(
    new SubmitJobCommand({
      namespace: 'default',
      type: 'scale',
      queue: 'scale',
      payload: { n },
      priority: 0,
      runAt: null,
      maxAttempts: 1,
      backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
      idempotencyKey: null,
      dedupeWindowSeconds: null,
    }),
  );

describe('a jobs table built to hold millions of jobs', () => {
  it('gives jobs ids that PostgreSQL sorts in the order they were submitted', async () => {
    for (let n = 0; n < 20; n += 1) {
      await submit(n);
      // A millisecond apart at least: ids of the same millisecond are in no particular order.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const { rows } = await db.client.query<{ n: number }>(
      `SELECT (payload->>'n')::int AS n FROM jobs WHERE queue = 'scale' ORDER BY id`,
    );
    expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('has autovacuum visit jobs and their history at 2 % dead rows, not 20 %', async () => {
    const { rows } = await db.client.query<{ relname: string; reloptions: string[] | null }>(
      `SELECT relname, reloptions FROM pg_class
       WHERE relname IN ('jobs', 'job_events') AND relnamespace = 'public'::regnamespace ORDER BY relname`,
    );
    expect(rows).toEqual([
      { relname: 'job_events', reloptions: ['autovacuum_vacuum_scale_factor=0.02'] },
      { relname: 'jobs', reloptions: ['autovacuum_vacuum_scale_factor=0.02'] },
    ]);
  });
});
