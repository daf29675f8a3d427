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

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** Every relation a plan reads whole. */
function seqScanned(node: PlanNode): string[] {
  const own = node['Node Type'] === 'Seq Scan' ? [node['Relation Name'] ?? '?'] : [];
  return [...own, ...(node.Plans ?? []).flatMap(seqScanned)];
}

/** The tables the statement the adapter prepares reads whole, as its first executions are planned. */
async function seqScans(name: string, queue: string): Promise<string[]> {
  await db.client.query(`PREPARE ${name} AS ${CLAIM_JOBS}`);
  const { rows } = await db.client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON) EXECUTE ${name}('default', '${queue}', NULL, 100, 30, 'w', 1000)`,
  );
  return seqScanned(rows[0]!['QUERY PLAN'][0].Plan);
}

it('claims from a large, analysed backlog without reading the whole table', async () => {
  // With statistics that show a big backlog, a claim plan that hash-joins against a scan of
  // `jobs` reads every row on every claim: a drain slows down threefold, by its own backlog.
  await insertJobRows(db.client, { status: 'pending', queue: 'big', count: 50_000 });
  await insertJobRows(db.client, { status: 'pending', queue: 'limited', count: 50_000 });
  await db.client.query(
    `INSERT INTO queue_controls (namespace, queue, concurrency_limit, key_concurrency_limit)
     VALUES ('default', 'limited', 50, 2)`,
  );
  await db.client.query('ANALYZE jobs');
  expect(await seqScans('big_claim', 'big')).not.toContain('jobs');
  // A queue with limits takes the other path of the statement: no whole-table read there either.
  expect(await seqScans('limited_claim', 'limited')).not.toContain('jobs');
});
