// The workflow workloads of issue #16 (docs/workflows.md): a fan-in of 1,000 parents completing on
// two instances, a 10,000-node workflow drained against the plain drain of as many jobs, and the
// submit of a 1,000-node workflow over REST. Each checks that the work was done right, as the other
// workloads do; every loop is bounded in count or time.
import type pg from 'pg';
import { type BenchServer, oneRow } from './database.js';
import {
  check,
  type Checked,
  type Percentiles,
  percentiles,
  post,
  timeUntil,
  withService,
} from './harness.js';
import { startService } from './service.js';
import { drainInProcess } from './workloads.js';

/** A node as POST /v1/workflows takes it. */
interface NodeBody {
  ref: string;
  type: string;
  queue?: string;
  payload: Record<string, unknown>;
  dependsOn?: string[];
}

/** What the workloads read of POST /v1/workflows's answer. */
interface SubmittedWorkflow {
  id: string;
  nodeCount: number;
  nodes: { ref: string; jobId: string }[];
}

/**
 * `count` stages in a chain, each a fan-out and a fan-in: a start node, `width` nodes that wait
 * for it, and an end node that waits for all of them; each stage's start waits for the end of the
 * stage before. `count * (width + 2)` nodes, made by `node` (type, queue, payload) for each ref.
 */
function stagedWorkflow(
  count: number,
  width: number,
  node: (ref: string) => Omit<NodeBody, 'ref' | 'dependsOn'>,
): NodeBody[] {
  const nodes: NodeBody[] = [];
  for (let stage = 0; stage < count; stage += 1) {
    const start = `s${stage}.start`;
    const middle = Array.from({ length: width }, (_, i) => `s${stage}.n${i}`);
    nodes.push({ ref: start, ...node(start), dependsOn: stage === 0 ? [] : [`s${stage - 1}.end`] });
    for (const ref of middle) nodes.push({ ref, ...node(ref), dependsOn: [start] });
    nodes.push({ ref: `s${stage}.end`, ...node(`s${stage}.end`), dependsOn: middle });
  }
  return nodes;
}

/** The job id of node `ref` of a submitted workflow. */
function jobOf(workflow: SubmittedWorkflow, ref: string): string {
  const node = workflow.nodes.find((candidate) => candidate.ref === ref);
  if (node === undefined) throw new Error(`the workflow has no node ${ref}`);
  return node.jobId;
}

/** A no-op node (the shipped `noop` handler, 200 at a time per instance). */
const NOOP_NODE = { type: 'noop', payload: {} };

async function isCompleted(client: pg.Client, jobId: string): Promise<boolean> {
  const { rows } = await client.query<{ completed: boolean }>(
    `SELECT status = 'completed' AS completed FROM jobs WHERE id = $1`,
    [jobId],
  );
  return oneRow(rows).completed;
}

/** Milliseconds from timestamp `from` to timestamp `to`. */
const msBetween = (from: string, to: string) => `(extract(epoch FROM (${to}) - (${from})) * 1000)::float8`;

/**
 * The completion of each of the jobs `which` (a condition on jobs `p`, $1 bound) by the database
 * clock: the job's claim, the start of the transaction that completed it (its event's now()) and
 * that transaction's commit (the server records commit times: track_commit_timestamp).
 */
const COMPLETIONS = (which: string) => `
SELECT p.claimed_at, e.occurred_at AS started_at, e.worker_id, e.xmin::text::bigint AS txid,
       pg_xact_commit_timestamp(e.xmin) AS committed_at
FROM jobs p JOIN job_events e ON e.job_id = p.id AND e.to_status = 'completed'
WHERE ${which}`;

interface Completions {
  jobs: number;
  instances: number;
  /** From the first job's claim to the last one's commit. */
  spanMs: number;
  /** Each completing transaction, from its start to its commit (any wait for a lock included). */
  transactionMs: number[];
}

async function completionsOf(client: pg.Client, which: string, param: string): Promise<Completions> {
  const { rows } = await client.query<Completions>(
    `WITH c AS (${COMPLETIONS(which)})
     SELECT count(*)::int AS jobs, count(DISTINCT worker_id)::int AS instances,
            ${msBetween('min(claimed_at)', 'max(committed_at)')} AS "spanMs",
            (SELECT array_agg(ms) FROM (
               SELECT ${msBetween('min(started_at)', 'max(committed_at)')} AS ms FROM c GROUP BY txid) t
            ) AS "transactionMs"
     FROM c`,
    [param],
  );
  return oneRow(rows);
}

/** The parents of child $1. */
const PARENTS_OF_CHILD = `p.id IN (SELECT parent_id FROM job_dependencies WHERE child_id = $1)`;

interface FanInRound {
  /** From the last parent's commit to the commit that made the child pending. */
  claimableMs: number;
  /** From the last parent's commit to the child's claim. */
  claimedMs: number;
  /** How many times the child became pending, and whether in a transaction that completed a parent. */
  releases: number;
  releasedByParent: boolean;
  childCompleted: boolean;
}

/** How a fan-in's child was released and claimed, by the database clock ($1: the child). */
const FAN_IN_ROUND = `
WITH parent AS (${COMPLETIONS(PARENTS_OF_CHILD)}),
release AS (
  SELECT e.xmin::text::bigint AS txid, pg_xact_commit_timestamp(e.xmin) AS committed_at
  FROM job_events e WHERE e.job_id = $1 AND e.from_status = 'waiting' AND e.to_status = 'pending'
),
last AS (SELECT max(committed_at) AS committed_at FROM parent)
SELECT ${msBetween('last.committed_at', '(SELECT max(committed_at) FROM release)')} AS "claimableMs",
       ${msBetween('last.committed_at', 'child.claimed_at')} AS "claimedMs",
       (SELECT count(*)::int FROM release) AS releases,
       coalesce((SELECT bool_or(r.txid IN (SELECT txid FROM parent)) FROM release r), false) AS "releasedByParent",
       child.status = 'completed' AND child.attempts = 1 AS "childCompleted"
FROM last, jobs child WHERE child.id = $1`;

export interface FanInResult extends Checked {
  /** Per round, from the last parent's commit to the commit that made the child pending. */
  claimableMs: Percentiles;
  /** From the same commit to the child's claim by one of the instances. */
  claimedMs: Percentiles;
  /** From the first parent's claim to the last parent's commit, per round. */
  parentsMs: Percentiles;
  /** The same for as many nodes without a child, submitted and run the same way in the same round. */
  withoutChildMs: Percentiles;
  /** The transactions that completed the parents, from start to commit, every round's together. */
  completingMs: Percentiles;
  /** The same for the nodes without a child. */
  completingWithoutChildMs: Percentiles;
}

/**
 * Rounds of a fan-in on two instances (each runs the shipped `noop` handler, 200 at a time):
 * a workflow of `parents` no-op nodes and one child that waits for all of them, submitted over REST.
 * The parents are pending at once and complete concurrently on both instances. Each round reads,
 * by the database clock (commit times), when the child became claimable and was claimed after the
 * last parent's commit, and how long the parents and their completing transactions took, against
 * as many nodes without a child run next in the same round: what a hot row would slow down.
 */
export async function fanIn(
  server: BenchServer,
  { rounds, parents = 1000 }: { rounds: number; parents?: number },
): Promise<FanInResult> {
  const env = { LOG_LEVEL: 'warn' };
  return withService(server, { ...env, CONVEYOR_ROLE: 'all' }, async (service, db) => {
    const { rows: setting } = await db.client.query<{ on: boolean }>(
      `SELECT current_setting('track_commit_timestamp')::boolean AS on`,
    );
    check(
      oneRow(setting).on,
      'the fan-in reads commit times: set track_commit_timestamp = on (the embedded server has it)',
    );
    const other = await startService(db.url, { ...env, CONVEYOR_ROLE: 'worker' });
    try {
      const refs = Array.from({ length: parents }, (_, i) => `p${i}`);
      const parentNodes = refs.map((ref) => ({ ref, ...NOOP_NODE }));
      const measured: FanInRound[] = [];
      const parentsMs: number[] = [];
      const withoutChildMs: number[] = [];
      const completingMs: number[] = [];
      const completingWithoutChildMs: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const workflow = (await post(
          service,
          '/v1/workflows',
          { nodes: [...parentNodes, { ref: 'child', ...NOOP_NODE, dependsOn: refs }] },
          201,
        )) as SubmittedWorkflow;
        const child = jobOf(workflow, 'child');
        await timeUntil(() => isCompleted(db.client, child), 60);
        const { rows } = await db.client.query<FanInRound>(FAN_IN_ROUND, [child]);
        const result = oneRow(rows);
        check(
          result.releases === 1 && result.releasedByParent && result.childCompleted,
          `round ${round}: ${JSON.stringify(result)} (the child must become pending once, in a parent's ` +
            'transaction, and complete in one attempt)',
        );
        const completions = await completionsOf(db.client, PARENTS_OF_CHILD, child);
        check(
          completions.jobs === parents && completions.instances === 2,
          `round ${round}: ${completions.jobs} parents completed by ${completions.instances} instances`,
        );
        measured.push(result);
        parentsMs.push(completions.spanMs);
        completingMs.push(...completions.transactionMs);

        const alone = (await post(
          service,
          '/v1/workflows',
          { nodes: parentNodes },
          201,
        )) as SubmittedWorkflow;
        const finished = async (): Promise<boolean> =>
          (await db.count(`workflow_id = $1 AND status <> 'completed'`, [alone.id])) === 0;
        await timeUntil(finished, 60);
        const baseline = await completionsOf(db.client, 'p.workflow_id = $1', alone.id);
        check(baseline.jobs === parents, `round ${round}: ${baseline.jobs} of ${parents} nodes completed`);
        withoutChildMs.push(baseline.spanMs);
        completingWithoutChildMs.push(...baseline.transactionMs);
      }
      return {
        claimableMs: percentiles(measured.map((round) => round.claimableMs)),
        claimedMs: percentiles(measured.map((round) => round.claimedMs)),
        parentsMs: percentiles(parentsMs),
        withoutChildMs: percentiles(withoutChildMs),
        completingMs: percentiles(completingMs),
        completingWithoutChildMs: percentiles(completingWithoutChildMs),
        checked:
          `${rounds} fan-ins of ${parents} parents completed on 2 instances, each child made pending once, ` +
          `in a parent's transaction, and run once`,
      };
    } finally {
      await other.stop();
    }
  });
}

export interface WorkflowDrainResult extends Checked {
  nodes: number;
  jobsPerSecond: number;
  seconds: number;
  /** The in-process drain of as many pre-inserted no-op jobs, in the same run. */
  plainJobsPerSecond: number;
}

/**
 * A workflow of `stages` chained stages of 1 → `width` → 1 no-op nodes, submitted over REST and run
 * by the in-process worker (the shipped `noop` handler), timed as the plain in-process drain is (from
 * the submit's answer until the last node completed), against that drain of as many jobs, run first
 * on a fresh database of its own.
 */
export async function workflowDrain(
  server: BenchServer,
  { stages, width }: { stages: number; width: number },
): Promise<WorkflowDrainResult> {
  const nodes = stagedWorkflow(stages, width, () => NOOP_NODE);
  const plain = await drainInProcess(server, { jobs: nodes.length });
  const body = JSON.stringify({ nodes });
  return withService(server, { CONVEYOR_ROLE: 'all', LOG_LEVEL: 'warn' }, async (service, db) => {
    const workflow = (await post(service, '/v1/workflows', body, 201)) as SubmittedWorkflow;
    check(workflow.nodeCount === nodes.length, `${workflow.nodeCount} nodes of ${nodes.length} submitted`);
    const last = jobOf(workflow, `s${stages - 1}.end`);
    // Every node is an ancestor of the last one: it completes last.
    const seconds = await timeUntil(() => isCompleted(db.client, last), 600);
    const { rows } = await db.client.query<{
      other: number;
      reattempted: number;
      releases: number;
      early: number;
    }>(
      `SELECT count(*) FILTER (WHERE status <> 'completed')::int AS other,
              count(*) FILTER (WHERE attempts <> 1)::int AS reattempted,
              (SELECT count(*)::int FROM job_events e JOIN jobs n ON n.id = e.job_id
               WHERE n.workflow_id = $1 AND e.from_status = 'waiting' AND e.to_status = 'pending') AS releases,
              (SELECT count(*)::int FROM job_dependencies d
               JOIN jobs c ON c.id = d.child_id JOIN jobs p ON p.id = d.parent_id
               WHERE c.workflow_id = $1 AND (d.state <> 'satisfied' OR c.claimed_at < p.updated_at)) AS early
       FROM jobs WHERE workflow_id = $1`,
      [workflow.id],
    );
    const row = oneRow(rows);
    check(
      row.other === 0 && row.reattempted === 0 && row.releases === nodes.length - 1 && row.early === 0,
      `after the drain: ${JSON.stringify(row)} (every node completed in one attempt, each with ` +
        `dependencies made pending once, none claimed before a parent completed)`,
    );
    return {
      nodes: nodes.length,
      jobsPerSecond: nodes.length / seconds,
      seconds,
      plainJobsPerSecond: plain.jobsPerSecond,
      checked:
        `${nodes.length} nodes, submitted in one POST of ${Math.round(Buffer.byteLength(body) / 1024)} KiB, ` +
        `completed in one attempt each, in dependency order, each released once; plain drain: ${plain.checked}`,
    };
  });
}

export interface WorkflowSubmitResult extends Checked {
  latencyMs: Percentiles;
  bodyKiB: number;
}

/** Submits that open connections and warm the JIT up before the timed ones. */
const WARM_UP_SUBMITS = 5;

/**
 * POST /v1/workflows of a 1 → `width` → 1 workflow (`width` + 2 nodes, each with a small payload),
 * `requests` times one after the other on an API instance, each a new workflow with a key of its
 * own, after 5 that warm it up.
 */
export async function workflowSubmit(
  server: BenchServer,
  { requests, width = 998 }: { requests: number; width?: number },
): Promise<WorkflowSubmitResult> {
  const nodes = stagedWorkflow(1, width, (ref) => ({
    type: 'bench.workflow',
    queue: 'bench',
    payload: { ref, attempt: 'first' },
  }));
  return withService(server, { CONVEYOR_ROLE: 'api' }, async (service, db) => {
    const timings: number[] = [];
    const sent = requests + WARM_UP_SUBMITS;
    for (let i = 0; i < sent; i += 1) {
      // Serialised before the clock starts: the latency is the service's.
      const body = JSON.stringify({ idempotencyKey: `wf-${i}`, nodes });
      const start = performance.now();
      const workflow = (await post(service, '/v1/workflows', body, 201)) as SubmittedWorkflow;
      if (i >= WARM_UP_SUBMITS) timings.push(performance.now() - start);
      check(workflow.nodeCount === nodes.length, `a submit answered ${workflow.nodeCount} nodes`);
    }
    const { rows } = await db.client.query<{ workflows: number; jobs: number; waiting: number }>(
      `SELECT (SELECT count(*)::int FROM workflows) AS workflows, count(*)::int AS jobs,
              count(*) FILTER (WHERE status = 'waiting')::int AS waiting
       FROM jobs`,
    );
    const row = oneRow(rows);
    check(
      row.workflows === sent && row.jobs === sent * nodes.length && row.waiting === sent * (nodes.length - 1),
      `${JSON.stringify(row)} after ${sent} submits of ${nodes.length} nodes`,
    );
    return {
      latencyMs: percentiles(timings),
      bodyKiB: Math.round(Buffer.byteLength(JSON.stringify({ nodes })) / 1024),
      checked: `${sent} workflows of ${nodes.length} nodes, every node written, all but each start waiting`,
    };
  });
}
