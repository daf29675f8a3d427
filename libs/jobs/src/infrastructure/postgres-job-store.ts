import { Injectable } from '@nestjs/common';
import { Sql } from '#conveyor/database';
import type { ClaimedJobView, JobView } from '../application/job-view.js';
import type {
  ClaimOutcome,
  ClaimRequest,
  Completion,
  Failure,
  GuardedMove,
  JobSnapshot,
  JobStore,
  JobTransaction,
  KeyedJob,
  LeaseProof,
  NewJob,
  NewWorkflow,
  RedriveFilter,
} from '../application/ports/job-store.js';
import { JobConflictError } from '../domain/job.errors.js';
import type { JobStatus } from '../domain/job-status.js';
import { OPERATOR_MOVES } from '../domain/operator-moves.js';
import { insertedJobView, type JobRow, type JobStateRow, toJobState, toJobView } from './job-row.js';
import { CLAIM_JOBS, CLAIM_LIMITED_JOBS } from './sql/claim.sql.js';
import {
  COMPACT_JOB_STATS,
  DELETE_EXPIRED_KEYS,
  DELETE_FINISHED_JOBS,
  PRUNE_STATUS_MINUTES,
  REAP_EXPIRED_LEASES,
} from './sql/housekeeping.sql.js';
import { EXTEND_LEASES, LOCK_HELD_JOB, RELEASE_JOBS } from './sql/lease.sql.js';
import { CANCEL_JOB, NOTIFY_CANCEL, REDRIVE_DEAD_LETTERS, RETRY_JOB } from './sql/manage.sql.js';
import { LOAD_JOB_SNAPSHOT } from './sql/read.sql.js';
import { RECORD_PROGRESS } from './sql/progress.sql.js';
import { COMPLETE_JOBS, COMPLETE_LOCKED_JOBS, FAIL_JOBS, FAIL_LOCKED_JOBS } from './sql/settle.sql.js';
import { COUNT_WAITING, FIND_JOBS_BY_IDEMPOTENCY_KEYS, INSERT_JOBS } from './sql/submit.sql.js';
import {
  CANCEL_WORKFLOW,
  COUNT_WORKFLOW_NODES,
  DEPENDENTS_MOVED,
  DELETE_EMPTY_WORKFLOWS,
  FIND_WORKFLOW_BY_KEY,
  INSERT_WORKFLOW,
  NOTIFY_WORKFLOW_CANCEL,
  PARENTS_OF,
  RETRY_WORKFLOW,
  WORKFLOW_EXISTS,
} from './sql/workflow.sql.js';

const proofsJson = (proofs: readonly LeaseProof[]): string =>
  JSON.stringify(proofs.map((proof) => ({ id: proof.id, lease_token: proof.leaseToken })));

/**
 * How long a cancel waits for the transaction of a running job's in-process handler to end once its
 * handler has been told (NOTIFY_CANCEL): it rolls back within milliseconds, unless the instance
 * cannot hear (LISTEN off) or is stuck. Then the cancel is refused as `busy`, to be tried again.
 */
const CANCEL_LOCK_TIMEOUT_MS = 5000;
/**
 * How many due jobs a claim of a queue with concurrency limits looks at to find ones whose type and
 * key have room (CLAIM_LIMITED_JOBS, `candidates`): keys at their limit are left out before the window, so
 * it only needs to cover the keys and types with room.
 */
const LIMITED_CLAIM_WINDOW = 1000;
/** How long a queue found limited is claimed from with the limited statement before asking again. */
const LIMITED_HINT_MS = 5000;
/** SQLSTATE 55P03: lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

/** Set in a handler's transaction right after it locked its job: a failure rolls back to it. */
const HELD_SAVEPOINT = 'conveyor_job_held';

const byId = (rows: readonly JobRow[]): Map<string, JobView> =>
  new Map(rows.map((row) => [row.id, toJobView(row)]));

/** A new job's columns, positional, in INSERT_JOBS' order. */
const jobRow = (job: NewJob): unknown[] => [
  job.id,
  job.namespace,
  job.queue,
  job.type,
  job.payload,
  job.priority,
  job.runAt,
  job.maxAttempts,
  job.backoff,
  job.idempotencyKey,
  job.fingerprint,
  job.dedupeWindowSeconds,
  job.traceparent,
  job.concurrencyKey,
  job.callbackUrl,
];

/** Rows of a statement run on a handler's transaction (TypeORM's QueryRunner, asked for the raw result). */
async function inTransaction<Row>(
  transaction: JobTransaction,
  statement: string,
  params: unknown[],
): Promise<Row[]> {
  const result = (await transaction.query(statement, params, true)) as { records: Row[] };
  return result.records;
}

/**
 * The lifecycle port on PostgreSQL: every statement is one of infrastructure/sql, set-based where
 * it can be (one round trip for many jobs), and the hot ones are named prepared statements.
 */
@Injectable()
export class PostgresJobStore implements JobStore {
  /**
   * Queues the plain claim last found limited (namespace TAB queue → until when the hint holds, ms):
   * their claims go straight to CLAIM_LIMITED_JOBS instead of asking twice. A hint only: the
   * limited statement is right for any queue, and the plain one redirects a queue that gained limits.
   */
  private readonly limitedQueues = new Map<string, number>();

  constructor(private readonly sql: Sql) {}

  async insertJobs(jobs: readonly NewJob[], transaction?: JobTransaction): Promise<Map<string, JobView>> {
    type Inserted = { id: string; run_at_ms: number; created_at_ms: number };
    const params = [JSON.stringify(jobs.map(jobRow))];
    const inserted =
      transaction === undefined
        ? await this.sql.prepared<Inserted>('conveyor_insert_jobs', INSERT_JOBS, params)
        : await inTransaction<Inserted>(transaction, INSERT_JOBS, params);
    const decided = new Map(inserted.map((row) => [row.id, row]));
    const views = new Map<string, JobView>();
    for (const job of jobs) {
      const row = decided.get(job.id);
      if (row !== undefined) {
        views.set(job.id, insertedJobView(job, new Date(row.run_at_ms), new Date(row.created_at_ms)));
      }
    }
    return views;
  }

  async findByIdempotencyKeys(
    keys: readonly { namespace: string; idempotencyKey: string }[],
    transaction?: JobTransaction,
  ): Promise<KeyedJob[]> {
    type Keyed = JobRow & { key_fingerprint: string };
    const wanted = keys.map((key) => ({ namespace: key.namespace, idempotency_key: key.idempotencyKey }));
    const params = [JSON.stringify(wanted)];
    const rows =
      transaction === undefined
        ? await this.sql.prepared<Keyed>('conveyor_find_jobs_by_keys', FIND_JOBS_BY_IDEMPOTENCY_KEYS, params)
        : await inTransaction<Keyed>(transaction, FIND_JOBS_BY_IDEMPOTENCY_KEYS, params);
    return rows.map((row) => ({ job: toJobView(row), keyFingerprint: row.key_fingerprint }));
  }

  async insertWorkflow(
    workflow: NewWorkflow,
    transaction?: JobTransaction,
  ): Promise<{ createdAt: Date; nodes: JobView[] } | null> {
    const head = {
      id: workflow.id,
      namespace: workflow.namespace,
      name: workflow.name,
      idempotency_key: workflow.idempotencyKey,
      fingerprint: workflow.fingerprint,
      node_count: workflow.nodes.length,
    };
    const idOf = new Map(workflow.nodes.map((node) => [node.ref, node.id]));
    // Positional, in INSERT_WORKFLOW's order.
    const nodes = workflow.nodes.map((node) => [
      node.id,
      node.queue,
      node.type,
      node.payload,
      node.priority,
      node.runAt,
      node.maxAttempts,
      node.backoff,
      node.idempotencyKey,
      node.traceparent,
      node.concurrencyKey,
      node.callbackUrl,
      node.ref,
      node.dependsOn.length > 0,
    ]);
    const edges = workflow.nodes.flatMap((node) =>
      node.dependsOn.map((dependency) => [node.id, idOf.get(dependency.ref), dependency.onFailure]),
    );
    const params = [JSON.stringify(head), JSON.stringify(nodes), JSON.stringify(edges)];
    type Inserted = { id: string; created_at_ms: number };
    const [row] =
      transaction === undefined
        ? await this.sql.prepared<Inserted>('conveyor_insert_workflow', INSERT_WORKFLOW, params)
        : await inTransaction<Inserted>(transaction, INSERT_WORKFLOW, params);
    if (row === undefined) return null;
    // One statement: the nodes were created when the workflow was, and run from then unless told later.
    const createdAt = new Date(row.created_at_ms);
    const nodeViews = workflow.nodes.map((node) =>
      insertedJobView(node, node.runAt === null ? createdAt : new Date(node.runAt), createdAt, {
        workflowId: workflow.id,
        ref: node.ref,
        status: node.dependsOn.length > 0 ? 'waiting' : 'pending',
      }),
    );
    return { createdAt, nodes: nodeViews };
  }

  async findWorkflowByKey(
    namespace: string,
    idempotencyKey: string,
    transaction?: JobTransaction,
  ): Promise<{ id: string; fingerprint: string } | null> {
    type Found = { id: string; fingerprint: string };
    const params = [namespace, idempotencyKey];
    const [row] =
      transaction === undefined
        ? await this.sql.rows<Found>(FIND_WORKFLOW_BY_KEY, params)
        : await inTransaction<Found>(transaction, FIND_WORKFLOW_BY_KEY, params);
    return row ?? null;
  }

  async cancelWorkflow(namespace: string, id: string, from: readonly JobStatus[]): Promise<JobView[]> {
    await this.sql.rows(NOTIFY_WORKFLOW_CANCEL, [id, namespace]);
    return (await this.sql.rows<JobRow>(CANCEL_WORKFLOW, [id, namespace, from])).map(toJobView);
  }

  async countWorkflowNodes(namespace: string, id: string, from: readonly JobStatus[]): Promise<number> {
    const [row] = await this.sql.rows<{ n: number }>(COUNT_WORKFLOW_NODES, [id, namespace, from]);
    return row?.n ?? 0;
  }

  async retryWorkflow(namespace: string, id: string, from: readonly JobStatus[]): Promise<JobView[]> {
    return (await this.sql.rows<JobRow>(RETRY_WORKFLOW, [id, namespace, from])).map(toJobView);
  }

  async dependentsMoved(
    moved: readonly { id: string; at: Date }[],
  ): Promise<{ job: JobView; from: JobStatus | null; to: JobStatus }[]> {
    type Moved = JobRow & { from_status: JobStatus | null; to_status: JobStatus };
    const rows = await this.sql.rows<Moved>(DEPENDENTS_MOVED, [
      moved.map((job) => job.id),
      moved.map((job) => job.at),
    ]);
    return rows.map((row) => ({ job: toJobView(row), from: row.from_status, to: row.to_status }));
  }

  async workflowExists(namespace: string, id: string): Promise<boolean> {
    return (await this.sql.rows(WORKFLOW_EXISTS, [id, namespace])).length > 0;
  }

  async deleteEmptyWorkflows(olderThanSeconds: number, limit: number): Promise<number> {
    const result = await this.sql.pool.query(DELETE_EMPTY_WORKFLOWS, [olderThanSeconds, limit]);
    return result.rowCount ?? 0;
  }

  async countWaiting(namespaces: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.sql.rows<{ namespace: string; waiting: number }>(COUNT_WAITING, [namespaces]);
    return new Map(rows.map((row) => [row.namespace, row.waiting]));
  }

  async claim(request: ClaimRequest): Promise<ClaimOutcome> {
    const params = [
      request.namespace,
      request.queue,
      request.types,
      request.limit,
      request.leaseSeconds,
      request.workerId,
    ];
    type Claimed = JobRow & { reclaimed: boolean };
    const queue = `${request.namespace}\t${request.queue}`;
    const claimLimited = () =>
      this.sql.prepared<Claimed>('conveyor_claim_limited_jobs', CLAIM_LIMITED_JOBS, [
        ...params,
        LIMITED_CLAIM_WINDOW,
      ]);
    let rows: Claimed[];
    if ((this.limitedQueues.get(queue) ?? 0) > Date.now()) {
      rows = await claimLimited();
    } else {
      // The plain claim first; a queue with limits makes it take nothing and say so.
      const plain = await this.sql.prepared<Claimed | { id: null; limited: boolean }>(
        'conveyor_claim_jobs',
        CLAIM_JOBS,
        params,
      );
      if (plain.some((row) => row.id === null && row.limited)) {
        this.limitedQueues.set(queue, Date.now() + LIMITED_HINT_MS);
        rows = await claimLimited();
      } else {
        this.limitedQueues.delete(queue);
        rows = plain.filter((row): row is Claimed => row.id !== null);
      }
    }
    const claimed: ClaimedJobView[] = [];
    const deadLettered: JobView[] = [];
    const reclaimedIds = new Set<string>();
    const parents = await this.parentsOf(
      rows.filter((row) => row.workflow_id !== null && row.status === 'processing').map((row) => row.id),
    );
    for (const row of rows) {
      if (row.status === 'dead_letter') {
        deadLettered.push(toJobView(row));
        continue;
      }
      if (row.lease_token === null || row.lease_expires_at === null) {
        throw new Error(`claimed job ${row.id} has no lease`); // excluded by jobs_lease_check
      }
      if (row.reclaimed) reclaimedIds.add(row.id);
      claimed.push({
        ...toJobView(row),
        leaseToken: row.lease_token,
        leaseExpiresAt: row.lease_expires_at,
        parents: parents.get(row.id) ?? {},
      });
    }
    return { claimed, deadLettered, reclaimedIds };
  }

  /** The dependencies of claimed workflow nodes, by node id, then by the dependency's ref. */
  private async parentsOf(ids: readonly string[]): Promise<Map<string, ClaimedJobView['parents']>> {
    const byNode = new Map<string, ClaimedJobView['parents']>();
    if (ids.length === 0) return byNode;
    type Parent = { child_id: string; ref: string; id: string; status: JobStatus; result: unknown };
    for (const row of await this.sql.rows<Parent>(PARENTS_OF, [ids])) {
      const parents = byNode.get(row.child_id) ?? {};
      parents[row.ref] = { id: row.id, status: row.status, result: row.result };
      byNode.set(row.child_id, parents);
    }
    return byNode;
  }

  async lock(namespace: string, proof: LeaseProof, transaction: JobTransaction): Promise<boolean> {
    const rows = (await transaction.query(LOCK_HELD_JOB, [proof.id, namespace, proof.leaseToken], true)) as {
      records: unknown[];
    };
    if (rows.records.length === 0) return false;
    await transaction.query(`SAVEPOINT ${HELD_SAVEPOINT}`);
    return true;
  }

  async complete(
    namespace: string,
    completions: readonly Completion[],
    transaction?: JobTransaction,
  ): Promise<Map<string, JobView>> {
    const input = completions.map((c) => ({ id: c.id, lease_token: c.leaseToken, result: c.result ?? null }));
    const params = [JSON.stringify(input), namespace];
    if (transaction === undefined) {
      return byId(await this.sql.prepared<JobRow>('conveyor_complete_jobs', COMPLETE_JOBS, params));
    }
    // In the handler's transaction, which holds the job: the completion and its writes commit together.
    return byId(await inTransaction<JobRow>(transaction, COMPLETE_LOCKED_JOBS, params));
  }

  async fail(
    namespace: string,
    failures: readonly Failure[],
    transaction?: JobTransaction,
  ): Promise<Map<string, JobView>> {
    const input = failures.map((f) => ({
      id: f.id,
      lease_token: f.leaseToken,
      error: f.error,
      retryable: f.retryable,
    }));
    const params = [JSON.stringify(input), namespace];
    if (transaction === undefined) {
      return byId(await this.sql.prepared<JobRow>('conveyor_fail_jobs', FAIL_JOBS, params));
    }
    // The handler's writes are undone; the lock on the job, taken before the savepoint, stays.
    await transaction.query(`ROLLBACK TO SAVEPOINT ${HELD_SAVEPOINT}`);
    return byId(await inTransaction<JobRow>(transaction, FAIL_LOCKED_JOBS, params));
  }

  async extendLeases(
    namespace: string,
    proofs: readonly LeaseProof[],
    leaseSeconds: number,
  ): Promise<Map<string, Date>> {
    const rows = await this.sql.prepared<{ id: string; lease_expires_at: Date }>(
      'conveyor_extend_leases',
      EXTEND_LEASES,
      [proofsJson(proofs), leaseSeconds, namespace],
    );
    return new Map(rows.map((row) => [row.id, row.lease_expires_at]));
  }

  async recordProgress(
    namespace: string,
    proof: LeaseProof,
    progress: { percent: number | null; data: Record<string, unknown> | null },
    minIntervalSeconds: number,
  ): Promise<'recorded' | 'throttled' | 'refused'> {
    const [row] = await this.sql.rows<{ held: boolean; written: boolean }>(RECORD_PROGRESS, [
      proof.id,
      namespace,
      proof.leaseToken,
      progress.percent,
      progress.data === null ? null : JSON.stringify(progress.data),
      minIntervalSeconds,
    ]);
    if (row?.held !== true) return 'refused';
    return row.written ? 'recorded' : 'throttled';
  }

  async release(namespace: string, proofs: readonly LeaseProof[]): Promise<JobView[]> {
    const rows = await this.sql.rows<JobRow>(RELEASE_JOBS, [proofsJson(proofs), namespace]);
    return rows.map(toJobView);
  }

  async reapExpiredLeases(limit: number): Promise<JobView[]> {
    return (await this.sql.rows<JobRow>(REAP_EXPIRED_LEASES, [limit])).map(toJobView);
  }

  async cancel(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null> {
    await this.sql.rows(NOTIFY_CANCEL, [id, namespace]);
    try {
      return await this.guardedMove(CANCEL_JOB, namespace, id, from, CANCEL_LOCK_TIMEOUT_MS);
    } catch (error) {
      if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
      throw new JobConflictError(
        id,
        'busy',
        'processing',
        `the job's handler did not let go of it within ${CANCEL_LOCK_TIMEOUT_MS} ms of the cancel; try again`,
      );
    }
  }

  retry(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null> {
    return this.guardedMove(RETRY_JOB, namespace, id, from);
  }

  private async guardedMove(
    statement: string,
    namespace: string,
    id: string,
    from: readonly JobStatus[],
    lockTimeoutMs?: number,
  ): Promise<GuardedMove | null> {
    // The job's own columns are all NULL when the move was refused.
    type MovedRow = { [Column in keyof JobRow]: JobRow[Column] | null } & { state: JobStateRow };
    const values = [id, namespace, from];
    const [row] =
      lockTimeoutMs === undefined
        ? await this.sql.rows<MovedRow>(statement, values)
        : await this.sql.rowsWithin<MovedRow>(lockTimeoutMs, statement, values);
    if (row === undefined) return null;
    return { state: toJobState(row.state), job: row.id === null ? null : toJobView(row as JobRow) };
  }

  async redriveDeadLetters(filter: RedriveFilter, limit: number): Promise<JobView[]> {
    const rows = await this.sql.rows<JobRow>(REDRIVE_DEAD_LETTERS, [
      filter.namespace,
      filter.queue,
      filter.type,
      filter.errorContains,
      filter.minAgeSeconds,
      filter.maxAgeSeconds,
      filter.ids,
      limit,
      OPERATOR_MOVES.redrive.from,
    ]);
    return rows.map(toJobView);
  }

  async deleteFinished(
    statuses: readonly JobStatus[],
    olderThanSeconds: number,
    limit: number,
  ): Promise<number> {
    const [row] = await this.sql.rows<{ deleted: number }>(DELETE_FINISHED_JOBS, [
      statuses,
      olderThanSeconds,
      limit,
    ]);
    return row?.deleted ?? 0;
  }

  async deleteExpiredKeys(limit: number): Promise<number> {
    const result = await this.sql.pool.query(DELETE_EXPIRED_KEYS, [limit]);
    return result.rowCount ?? 0;
  }

  async compactStats(): Promise<number> {
    const [row] = await this.sql.rows<{ folded: number }>(COMPACT_JOB_STATS);
    return row?.folded ?? 0;
  }

  async pruneStatusMinutes(): Promise<void> {
    await this.sql.pool.query(PRUNE_STATUS_MINUTES);
  }

  async loadSnapshot(namespace: string, id: string): Promise<JobSnapshot | null> {
    const [row] = await this.sql.rows<JobRow & JobStateRow>(LOAD_JOB_SNAPSHOT, [id, namespace]);
    return row === undefined ? null : { state: toJobState(row), job: toJobView(row) };
  }
}
