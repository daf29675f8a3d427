import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { insertJobRows } from '../support/job-rows.js';
import { createEffectsTable } from '../support/test-handlers.js';
import { WorkerProcesses } from '../support/worker-processes.js';

// Real processes: an instance is killed with SIGKILL in the middle of its jobs, and another one
// must finish them within the lease time plus a few seconds, each effect exactly once.

const LEASE_SECONDS = 2;

let db: TestDatabase;
let workers: WorkerProcesses;

beforeAll(async () => {
  db = await createTestDatabase();
  await createEffectsTable(db);
  workers = new WorkerProcesses(db.url, LEASE_SECONDS);
});
afterAll(async () => {
  workers.killAll();
  await db.drop();
});

it('finishes a killed instance’s jobs on another instance, each effect exactly once', async () => {
  const doomed = await workers.start();
  const ids = await insertJobRows(db.client, {
    status: 'pending',
    count: 10,
    type: 'test.effect',
    payload: { holdMs: 1500 },
    backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
  });
  await eventually(async () => {
    const { rows } = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1) AND status = 'processing'`,
      [ids],
    );
    expect(rows[0]!.n).toBe(10);
  });

  doomed.kill('SIGKILL');
  const killedAt = Date.now();
  await workers.start();

  await eventually(async () => {
    const { rows } = await db.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM jobs WHERE id = ANY ($1) AND status = 'completed'`,
      [ids],
    );
    expect(rows[0]!.n).toBe(10);
  }, 20_000);
  // Lease (2 s) + reaper or re-claim + the 1.5 s the jobs take, with room for a slow machine.
  expect(Date.now() - killedAt).toBeLessThan((LEASE_SECONDS + 8) * 1000);

  const { rows: effects } = await db.client.query<{ job_id: string; n: number; pids: number }>(
    `SELECT job_id, count(*)::int AS n, count(DISTINCT worker_pid)::int AS pids
     FROM test_effects WHERE job_id = ANY ($1) GROUP BY job_id`,
    [ids],
  );
  expect(effects).toHaveLength(10);
  expect(effects.every((effect) => effect.n === 1)).toBe(true);
  const { rows: attempts } = await db.client.query<{ attempts: number }>(
    'SELECT attempts FROM jobs WHERE id = ANY ($1)',
    [ids],
  );
  expect(attempts.every((job) => job.attempts === 2)).toBe(true);
});
