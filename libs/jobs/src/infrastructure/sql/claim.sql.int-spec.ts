import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database.js';
import { insertJobRows } from '../../../../../test/support/job-rows.js';
import { CLAIM_JOBS } from './claim.sql.js';

// The claim statement itself, beside it: its plan on a large, analysed backlog. (Tests of the
// lifecycle's behaviour enter through the library's index; this one is about the SQL.)

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

it('claims from a large, analysed backlog without reading the whole table', async () => {
  // With statistics that show a big backlog, a claim plan that hash-joins against a scan of
  // `jobs` reads every row on every claim: a drain slows down threefold, by its own backlog.
  await insertJobRows(db.client, { status: 'pending', queue: 'big', count: 50_000 });
  await db.client.query('ANALYZE jobs');
  // The statement the adapter prepares, planned as its first executions are.
  await db.client.query(`PREPARE big_claim AS ${CLAIM_JOBS}`);
  const { rows } = await db.client.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (FORMAT JSON) EXECUTE big_claim('default', 'big', NULL, 100, 30, 'w')`,
  );
  const scans = JSON.stringify(rows[0]!['QUERY PLAN']).match(/"Node Type":"Seq Scan"/g);
  expect(scans).toBeNull();
});
