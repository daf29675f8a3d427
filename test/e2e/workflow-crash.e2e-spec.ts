import { SubmitJobCommand, SubmitWorkflowCommand, type WorkflowView } from '#conveyor/jobs';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { testNode } from '../support/workflow-nodes.js';
import { createJobsContext, type JobsContext } from '../support/jobs-context.js';
import { createEffectsTable } from '../support/test-handlers.js';
import { WorkerProcesses } from '../support/worker-processes.js';

// Workflows under SIGKILL, with real processes: a parent killed mid-run releases its children
// exactly once after its retry completes; jobs a handler submitted in its transaction exist if and
// only if that job completed, whenever its process dies.

const LEASE_SECONDS = 2;

let db: TestDatabase;
let jobs: JobsContext;
let workers: WorkerProcesses;

beforeAll(async () => {
  db = await createTestDatabase();
  await createEffectsTable(db);
  jobs = await createJobsContext(db.url);
  workers = new WorkerProcesses(db.url, LEASE_SECONDS);
});
afterAll(async () => {
  workers.killAll();
  await jobs.close();
  await db.drop();
});

async function query<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await db.client.query<Row>(sql, params)).rows;
}

async function statusOf(id: string): Promise<string> {
  const [row] = await query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [id]);
  return row!.status;
}

it('a parent killed mid-run releases its children exactly once, after its retry completes', async () => {
  const doomed = await workers.start();
  const children = ['c1', 'c2', 'c3', 'c4', 'c5'];
  const { workflow }: { workflow: WorkflowView } = await jobs.commandBus.execute(
    new SubmitWorkflowCommand({
      namespace: 'default',
      name: 'crash',
      idempotencyKey: null,
      onParentFailure: 'cancel',
      nodes: [testNode('parent', [], { holdMs: 1500 }), ...children.map((ref) => testNode(ref, ['parent']))],
    }),
  );
  const parent = workflow.nodes.find((n) => n.ref === 'parent')!.jobId;
  await eventually(async () => {
    expect(await statusOf(parent)).toBe('processing');
  });

  doomed.kill('SIGKILL');
  await workers.start();
  await eventually(async () => {
    const rows = await query<{ status: string }>('SELECT status FROM jobs WHERE workflow_id = $1', [
      workflow.id,
    ]);
    expect(rows.map((row) => row.status)).toEqual(Array.from({ length: 6 }, () => 'completed'));
  }, 20_000);

  // The parent ran twice (its first attempt died with its process, and took no effect); every child
  // was released once, ran once, and saw the retry's result.
  const [attempts] = await query<{ attempts: number; effects: number }>(
    `SELECT attempts, (SELECT count(*)::int FROM test_effects WHERE job_id = $1) AS effects FROM jobs WHERE id = $1`,
    [parent],
  );
  expect(attempts).toEqual({ attempts: 2, effects: 1 });
  const released = await query<{ ref: string; releases: number; effects: number; result: unknown }>(
    `SELECT j.workflow_ref AS ref, j.result,
            (SELECT count(*)::int FROM job_events e WHERE e.job_id = j.id AND e.to_status = 'pending') AS releases,
            (SELECT count(*)::int FROM test_effects t WHERE t.job_id = j.id) AS effects
     FROM jobs j WHERE j.workflow_id = $1 AND j.workflow_ref <> 'parent' ORDER BY 1`,
    [workflow.id],
  );
  expect(released).toEqual(
    children.map((ref) => ({ ref, releases: 1, effects: 1, result: { sum: 2, parents: ['parent'] } })),
  );
});

it.each(['jobs', 'workflow'] as const)(
  'jobs submitted in a handler’s transaction (%s) exist if and only if it completed, across a SIGKILL',
  async (shape) => {
    const doomed = await workers.start();
    const { job } = await jobs.commandBus.execute(
      new SubmitJobCommand({
        namespace: 'default',
        type: 'test.spawn',
        queue: null,
        payload: { shape, count: 4, holdMs: 1500 },
        priority: 0,
        runAt: null,
        maxAttempts: null,
        backoff: { type: 'fixed', delayMs: 0, maxDelayMs: 0 },
        idempotencyKey: null,
        dedupeWindowSeconds: null,
      }),
    );
    // Killed between the handler's writes (its effect and its submits, in the first moments of its
    // attempt) and its completion (1.5 s later).
    await eventually(async () => {
      expect(await statusOf(job.id)).toBe('processing');
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    doomed.kill('SIGKILL');
    const spawned = () =>
      query<{ id: string; status: string }>(
        `SELECT id, status FROM jobs WHERE type = 'test.node' AND (idempotency_key LIKE $1 || '/%'
           OR workflow_id IN (SELECT id FROM workflows WHERE idempotency_key = 'spawned-by-' || $1))`,
        [job.id],
      );
    expect(await spawned()).toEqual([]);

    await workers.start();
    await eventually(async () => {
      expect(await statusOf(job.id)).toBe('completed');
    }, 20_000);
    await eventually(async () => {
      const rows = await spawned();
      expect(rows.map((row) => row.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    }, 20_000);
    const [effects] = await query<{ n: number }>(
      'SELECT count(*)::int AS n FROM test_effects WHERE job_id = $1',
      [job.id],
    );
    expect(effects!.n).toBe(1);
  },
);
