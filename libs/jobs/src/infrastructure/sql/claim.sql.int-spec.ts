import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database.js';
import { insertJobRows } from '../../../../../test/support/job-rows.js';
import { CLAIM_JOBS, CLAIM_LIMITED_JOBS } from './claim.sql.js';

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
async function seqScans(name: string, queue: string, limited: boolean): Promise<string[]> {
  await db.client.query(`PREPARE ${name} AS ${limited ? CLAIM_LIMITED_JOBS : CLAIM_JOBS}`);
  const { rows } = await db.client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
    `EXPLAIN (FORMAT JSON) EXECUTE ${name}('default', '${queue}', NULL, 100, 30, 'w'${limited ? ', 1000' : ''})`,
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
  expect(await seqScans('big_claim', 'big', false)).not.toContain('jobs');
  // A queue with limits takes the other path of the statement: no whole-table read there either.
  expect(await seqScans('limited_claim', 'limited', true)).not.toContain('jobs');
});

interface AnalyzedNode extends PlanNode {
  'Actual Rows': number;
  'Actual Loops': number;
  'Rows Removed by Filter'?: number;
  Plans?: AnalyzedNode[];
}

/** Rows of `jobs` the plan's scans read, kept or filtered out. */
function jobRowsRead(node: AnalyzedNode): number {
  const own =
    node['Relation Name'] === 'jobs' && node['Node Type'].includes('Scan')
      ? (node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0)) * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + jobRowsRead(child), 0);
}

it('reads nothing of a paused backlog, nor of a type at its limit', async () => {
  // Read row by row, a paused queue's claims would walk its whole backlog to take nothing, each
  // for as long as the claim that follows a resume then waits behind it.
  await insertJobRows(db.client, { status: 'pending', queue: 'held', type: 'a', count: 20_000 });
  await insertJobRows(db.client, { status: 'processing', queue: 'held', type: 'a' });
  await db.client.query('ANALYZE jobs');
  const read = async (types: string | null, limited = false): Promise<number> => {
    const params = ['default', 'held', types === null ? null : [types], 100, 30, 'w'];
    const { rows } = await db.client.query<{ 'QUERY PLAN': [{ Plan: AnalyzedNode }] }>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${limited ? CLAIM_LIMITED_JOBS : CLAIM_JOBS}`,
      limited ? [...params, 1000] : params,
    );
    // EXPLAIN ANALYZE runs the statement: undo whatever it took.
    return jobRowsRead(rows[0]!['QUERY PLAN'][0].Plan);
  };
  await db.client.query('BEGIN');
  try {
    await db.client.query(
      `INSERT INTO queue_controls (namespace, queue, paused) VALUES ('default', 'held', true)`,
    );
    expect(await read(null)).toBeLessThan(10);
    await db.client.query(`UPDATE queue_controls SET paused = false WHERE queue = 'held'`);
    await db.client.query(
      `INSERT INTO queue_controls (namespace, queue, type, paused) VALUES ('default', 'held', 'a', true)`,
    );
    expect(await read('a')).toBeLessThan(10);
    await db.client.query(
      `UPDATE queue_controls SET paused = false, concurrency_limit = 1 WHERE queue = 'held' AND type = 'a'`,
    );
    expect(await read('a', true)).toBeLessThan(10);
  } finally {
    await db.client.query('ROLLBACK');
  }
});

it('reads only its own type\u2019s jobs when it claims one type of a shared queue', async () => {
  // Handlers share a queue (`default`) and each claims its own type: a type with little work must
  // not walk past the backlog of the others, first in line.
  await insertJobRows(db.client, { status: 'pending', queue: 'shared', type: 'busy', count: 20_000 });
  await insertJobRows(db.client, { status: 'pending', queue: 'shared', type: 'rare', count: 5 });
  await db.client.query('ANALYZE jobs');
  const read = async (types: string[]): Promise<{ rows: number; claimed: number }> => {
    await db.client.query('BEGIN');
    try {
      const { rows } = await db.client.query<{ 'QUERY PLAN': [{ Plan: AnalyzedNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${CLAIM_JOBS}`,
        ['default', 'shared', types, 100, 30, 'w'],
      );
      const { rows: claimed } = await db.client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM jobs WHERE queue = 'shared' AND status = 'processing'`,
      );
      return { rows: jobRowsRead(rows[0]!['QUERY PLAN'][0].Plan), claimed: claimed[0]!.n };
    } finally {
      // EXPLAIN ANALYZE runs the statement: undo what it took.
      await db.client.query('ROLLBACK');
    }
  };
  const rare = await read(['rare']);
  expect(rare.claimed).toBe(5);
  expect(rare.rows).toBeLessThan(50);
  // A type with a backlog of its own: its first hundred, in order, not the whole of it sorted.
  const busy = await read(['busy']);
  expect(busy.claimed).toBe(100);
  expect(busy.rows).toBeLessThan(500);
  // Two types, or any: still every due job of them, in order (read through the queue's index).
  expect((await read(['rare', 'busy'])).claimed).toBe(100);
});
