import { CommandBus } from '@nestjs/cqrs';
import pg from 'pg';
import {
  ApplyRetentionCommand,
  SubmitWorkflowCommand,
  type SubmitWorkflowInput,
  type WorkflowNodeInput,
  type WorkflowView,
} from '#conveyor/jobs';
import type { Instance } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { testNode } from '../support/workflow-nodes.js';
import { instanceSuite, submitJob } from '../support/instance-suite.js';
import { TestHandlersModule, WorkflowCronModule } from '../support/test-handlers.js';

// Workflows run by in-process workers on real PostgreSQL: deep chains, wide fan-in over several
// instances, the release of a child racing between the transactions of its last parents, jobs
// submitted inside a handler's transaction, cron starting workflows, and retention.

const suite = instanceSuite({ CONVEYOR_POLL_INTERVAL_MS: '50', CONVEYOR_REAPER_INTERVAL_MS: '200' });

function submitWorkflow(on: Instance, nodes: WorkflowNodeInput[], extra: Partial<SubmitWorkflowInput> = {}) {
  return on.app.get(CommandBus).execute(
    new SubmitWorkflowCommand({
      namespace: 'default',
      name: null,
      idempotencyKey: null,
      onParentFailure: 'cancel',
      nodes,
      ...extra,
    }),
  );
}

async function query<Row extends object>(sql: string, params: unknown[] = []): Promise<Row[]> {
  return (await suite.db.client.query<Row>(sql, params)).rows;
}

async function workflowStatuses(workflowId: string): Promise<Record<string, number>> {
  const rows = await query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM jobs WHERE workflow_id = $1 GROUP BY status',
    [workflowId],
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.n]));
}

async function untilFinished(workflow: WorkflowView, timeoutMs = 30_000): Promise<void> {
  await eventually(async () => {
    expect(await workflowStatuses(workflow.id)).toEqual({ completed: workflow.nodeCount });
  }, timeoutMs);
}

/** How often each node of the workflow was released (waiting -> pending, in its history), by ref. */
async function releases(workflowId: string): Promise<Record<string, number>> {
  const rows = await query<{ ref: string; n: number }>(
    `SELECT j.workflow_ref AS ref, count(e.id)::int AS n
     FROM jobs j LEFT JOIN job_events e ON e.job_id = j.id AND e.from_status = 'waiting' AND e.to_status = 'pending'
     WHERE j.workflow_id = $1 GROUP BY j.workflow_ref`,
    [workflowId],
  );
  return Object.fromEntries(rows.map((row) => [row.ref, row.n]));
}

/** What releases() must say: once for every node with dependencies, never for the others. */
const releasedOnce = (nodes: readonly WorkflowNodeInput[]): Record<string, number> =>
  Object.fromEntries(nodes.map((n) => [n.ref, n.dependsOn.length > 0 ? 1 : 0]));

describe('in-process workers', () => {
  it('run a deep chain in order, each node with its parent’s result', async () => {
    const app = await suite.start();
    const depth = 150;
    const nodes = Array.from({ length: depth }, (_, n) => testNode(`n${n}`, n === 0 ? [] : [`n${n - 1}`]));
    const { workflow } = await submitWorkflow(app, nodes);
    await untilFinished(workflow, 60_000);
    const [last] = await query<{ result: { sum: number; parents: string[] } }>(
      `SELECT result FROM jobs WHERE workflow_id = $1 AND workflow_ref = $2`,
      [workflow.id, `n${depth - 1}`],
    );
    expect(last!.result).toEqual({ sum: depth, parents: [`n${depth - 2}`] });
    // Each node became runnable exactly once.
    expect(await releases(workflow.id)).toEqual(releasedOnce(nodes));
  });

  it('run a wide fan-out and fan-in on three instances: the child runs once, with every parent’s result', async () => {
    const instances = await Promise.all([suite.start(), suite.start(), suite.start()]);
    const width = 300;
    const parents = Array.from({ length: width }, (_, n) => testNode(`p${n}`, ['root']));
    const nodes = [
      testNode('root'),
      ...parents,
      testNode(
        'sink',
        parents.map((parent) => parent.ref),
      ),
    ];
    const [first] = instances;
    const { workflow } = await submitWorkflow(first, nodes);
    await untilFinished(workflow);
    const [sink] = await query<{ id: string; result: { sum: number; parents: string[] } }>(
      `SELECT id, result FROM jobs WHERE workflow_id = $1 AND workflow_ref = 'sink'`,
      [workflow.id],
    );
    // 1 (itself) + 300 parents of sum 2 each (themselves and root).
    expect(sink!.result.sum).toBe(1 + width * 2);
    expect(sink!.result.parents).toHaveLength(width);
    expect(await releases(workflow.id)).toEqual(releasedOnce(nodes));
    const effects = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM test_effects e JOIN jobs j ON j.id = e.job_id WHERE j.workflow_id = $1`,
      [workflow.id],
    );
    expect(effects[0]!.n).toBe(width + 2);
  });

  it('pass on the result of a dependency that failed for good under `continue`, and cancel under `cancel`', async () => {
    const app = await suite.start();
    const { workflow } = await submitWorkflow(app, [
      testNode('flaky', [], { failForGood: true }),
      { ...testNode('cleanup'), dependsOn: [{ ref: 'flaky', onFailure: 'continue' }] },
      testNode('report', ['flaky']),
    ]);
    await eventually(async () => {
      expect(await workflowStatuses(workflow.id)).toEqual({ dead_letter: 1, completed: 1, cancelled: 1 });
    });
    const [cleanup] = await query<{ result: { parents: string[] } }>(
      `SELECT result FROM jobs WHERE workflow_id = $1 AND workflow_ref = 'cleanup'`,
      [workflow.id],
    );
    expect(cleanup!.result.parents).toEqual(['flaky']);
  });
});

describe('the release of a child between its last parents’ transactions', () => {
  // The race the trigger's locking exists for: the last parents complete at once, each in its own
  // transaction that cannot see the other's edge. Exactly one of them must release the child.
  it('releases it exactly once, whichever commits last, over many rounds', async () => {
    const app = await suite.start({ CONVEYOR_ROLE: 'api' });
    const clients = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const client = new pg.Client({ connectionString: suite.db.url });
        await client.connect();
        return client;
      }),
    );
    try {
      for (let round = 0; round < 25; round += 1) {
        const width = 2 + (round % 7);
        const parents = Array.from({ length: width }, (_, n) => testNode(`p${n}`));
        const { workflow } = await submitWorkflow(app, [
          ...parents,
          testNode(
            'child',
            parents.map((p) => p.ref),
          ),
        ]);
        const ids = workflow.nodes.filter((n) => n.ref !== 'child').map((n) => n.jobId);
        await suite.db.client.query(
          `UPDATE jobs SET status = 'processing', attempts = 1, lease_token = gen_random_uuid(),
             lease_expires_at = now() + interval '1 minute', claimed_at = now() WHERE id = ANY ($1)`,
          [ids],
        );
        // Each parent completed in its own transaction, all at once, committing in a random order.
        await Promise.all(
          ids.map(async (id, n) => {
            const client = clients[n % clients.length]!;
            await client.query('BEGIN');
            await client.query(
              `UPDATE jobs SET status = 'completed', result = '{"sum":1}', last_lease_token = lease_token,
                 last_lease_end = 'completed', lease_token = NULL, lease_expires_at = NULL WHERE id = $1`,
              [id],
            );
            await client.query('SELECT pg_sleep($1)', [Math.random() / 50]);
            await client.query('COMMIT');
          }),
        );
        const child = workflow.nodes.find((n) => n.ref === 'child')!;
        const [row] = await query<{ status: string; pending: number }>(
          `SELECT status, (SELECT count(*)::int FROM job_events WHERE job_id = $1 AND to_status = 'pending') AS pending
           FROM jobs WHERE id = $1`,
          [child.jobId],
        );
        expect({ round, ...row }).toEqual({ round, status: 'pending', pending: 1 });
      }
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
  });
});

describe('context.submit: jobs written in the handler’s transaction', () => {
  async function spawnedBy(jobId: string): Promise<{ jobs: number; workflows: number }> {
    const [row] = await query<{ jobs: number; workflows: number }>(
      `SELECT (SELECT count(*)::int FROM jobs WHERE type = 'test.node' AND (payload ? 'n')
                 AND (idempotency_key LIKE $1 || '/%' OR workflow_id IN
                      (SELECT id FROM workflows WHERE idempotency_key = 'spawned-by-' || $1))) AS jobs,
              (SELECT count(*)::int FROM workflows WHERE idempotency_key = 'spawned-by-' || $1) AS workflows`,
      [jobId],
    );
    return row!;
  }

  it.each(['jobs', 'workflow'] as const)(
    'exist once the job completes (%s), and not at all after an attempt that failed',
    async (shape) => {
      const app = await suite.start();
      const { job } = await submitJob(app, {
        type: 'test.spawn',
        payload: { shape, count: 5, failFirstAttempt: true },
        backoff: { type: 'fixed', delayMs: 500, maxDelayMs: 500 },
      });
      // The first attempt submitted and then failed: nothing of what it submitted exists.
      await eventually(async () => {
        const [row] = await query<{ status: string; attempts: number }>(
          'SELECT status, attempts FROM jobs WHERE id = $1',
          [job.id],
        );
        expect(row).toMatchObject({ status: 'failed', attempts: 1 });
      });
      expect(await spawnedBy(job.id)).toEqual({ jobs: 0, workflows: 0 });
      await eventually(async () => {
        const [row] = await query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [job.id]);
        expect(row!.status).toBe('completed');
      });
      expect(await spawnedBy(job.id)).toEqual({ jobs: 5, workflows: shape === 'workflow' ? 1 : 0 });
      await eventually(async () => {
        const [row] = await query<{ n: number }>(
          `SELECT count(*)::int AS n FROM jobs WHERE id = ANY (
             SELECT jsonb_array_elements_text(result->'children')::uuid FROM jobs WHERE id = $1)
           AND status = 'completed'`,
          [job.id],
        );
        expect(row!.n).toBe(5);
      });
    },
  );

  it('refuses what the REST API would refuse, and the attempt writes nothing', async () => {
    const app = await suite.start();
    const { job } = await submitJob(app, {
      type: 'test.spawn',
      payload: { shape: 'workflow', count: 2, invalid: true },
      maxAttempts: 1,
    });
    await eventually(async () => {
      const [row] = await query<{ status: string; last_error: string }>(
        'SELECT status, last_error FROM jobs WHERE id = $1',
        [job.id],
      );
      expect(row!.status).toBe('dead_letter');
      expect(row!.last_error).toContain('no node has the ref "missing"');
    });
    expect(await spawnedBy(job.id)).toEqual({ jobs: 0, workflows: 0 });
    expect(await query('SELECT 1 FROM test_effects WHERE job_id = $1', [job.id])).toEqual([]);
  });
});

describe('cron', () => {
  it('starts a workflow once per slot across instances', async () => {
    const instances = await Promise.all([
      suite.start({}, [TestHandlersModule, WorkflowCronModule]),
      suite.start({}, [TestHandlersModule, WorkflowCronModule]),
    ]);
    await eventually(async () => {
      const rows = await query<{ id: string }>(
        `SELECT w.id FROM workflows w WHERE w.name = 'nightly'
           AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.workflow_id = w.id AND j.status <> 'completed')`,
      );
      expect(rows.length).toBeGreaterThanOrEqual(2);
    }, 15_000);
    await Promise.all(instances.map((instance) => instance.close()));
    // One starter per slot, one workflow per starter.
    const [counts] = await query<{ starters: number; workflows: number; slots: number }>(
      `SELECT (SELECT count(*)::int FROM jobs WHERE type = 'test.nightly' AND status = 'completed') AS starters,
              (SELECT count(DISTINCT idempotency_key)::int FROM jobs WHERE type = 'test.nightly') AS slots,
              (SELECT count(*)::int FROM workflows WHERE name = 'nightly') AS workflows`,
    );
    expect(counts!.starters).toBe(counts!.slots);
    expect(counts!.workflows).toBe(counts!.starters);
  });
});

describe('retention', () => {
  it('deletes a workflow’s nodes only once all of them have finished, then the workflow', async () => {
    const app = await suite.start({ CONVEYOR_ROLE: 'api' });
    const { workflow } = await submitWorkflow(app, [testNode('a'), testNode('b', ['a'])]);
    const [a, b] = [workflow.nodes[0]!.jobId, workflow.nodes[1]!.jobId];
    await suite.db.client.query(
      `UPDATE jobs SET status = 'processing', attempts = 1, lease_token = gen_random_uuid(),
         lease_expires_at = now() + interval '1 minute' WHERE id = $1`,
      [a],
    );
    await suite.db.client.query(
      `UPDATE jobs SET status = 'completed', last_lease_token = lease_token, last_lease_end = 'completed',
         lease_token = NULL, lease_expires_at = NULL, updated_at = now() - interval '2 days' WHERE id = $1`,
      [a],
    );
    const retention = () =>
      app.app.get(CommandBus).execute(new ApplyRetentionCommand(86_400, 86_400, 100, 10));
    await retention();
    // b has not run: a (and its result) stays.
    expect((await query('SELECT id FROM jobs WHERE id = ANY ($1)', [[a, b]])).length).toBe(2);

    await suite.db.client.query(
      `UPDATE jobs SET status = 'cancelled', updated_at = now() - interval '2 days' WHERE id = $1`,
      [b],
    );
    await suite.db.client.query(`UPDATE workflows SET created_at = now() - interval '2 days' WHERE id = $1`, [
      workflow.id,
    ]);
    const deleted = await retention();
    expect(deleted).toMatchObject({ finished: 2, workflows: 1 });
    expect(await query('SELECT id FROM workflows WHERE id = $1', [workflow.id])).toEqual([]);
  });
});
