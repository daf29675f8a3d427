import type { QueryRunner } from 'typeorm';
import type { BackoffPolicy } from '../../domain/backoff.js';
import type { JobState } from '../../domain/job-state.js';
import type { JobStatus } from '../../domain/job-status.js';
import type { Dependency } from '../../domain/workflow.js';
import type { ClaimedJobView, JobView } from '../job-view.js';

/**
 * The lifecycle port: every write to jobs goes through it, and only the lifecycle (the door,
 * lifecycle/job-lifecycle.ts) calls it. Its one adapter (infrastructure/postgres-job-store.ts)
 * runs the set-based, guarded statements of infrastructure/sql, which decide each job's next
 * status (see docs/state-machine.md). Statements take many jobs at once; a guard that refuses a
 * job leaves it out of the answer, and the caller explains why (application/refusals.ts).
 */
export const JOB_STORE = Symbol('JOB_STORE');

/**
 * The transaction an in-process handler writes through (TypeORM's, as handlers see it). It holds
 * the job (JobStore.lock) from its start; a completion inside it commits with the handler's
 * writes, or not at all.
 */
export type JobTransaction = QueryRunner;

export interface NewJob {
  id: string;
  namespace: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  /** ISO 8601, or null for "now" by the database clock. */
  runAt: string | null;
  maxAttempts: number;
  backoff: BackoffPolicy;
  idempotencyKey: string;
  fingerprint: string;
  dedupeWindowSeconds: number;
  /** W3C traceparent of the submitting trace, or null when none is active. */
  traceparent: string | null;
  concurrencyKey: string | null;
  callbackUrl: string | null;
}

/** A node of a new workflow: a job, its reference in the workflow, and what it waits for. */
export interface NewWorkflowNode extends NewJob {
  ref: string;
  dependsOn: readonly Dependency[];
}

export interface NewWorkflow {
  id: string;
  namespace: string;
  name: string | null;
  /** Null: not idempotent (every submit is a new workflow). */
  idempotencyKey: string | null;
  fingerprint: string;
  nodes: readonly NewWorkflowNode[];
}

/** A job that holds an idempotency key, with the fingerprint stored when the key was won. */
export interface KeyedJob {
  job: JobView;
  keyFingerprint: string;
}

export interface LeaseProof {
  id: string;
  leaseToken: string;
}

export interface Completion extends LeaseProof {
  result: unknown;
}

export interface Failure extends LeaseProof {
  error: string;
  retryable: boolean;
}

export interface ClaimRequest {
  namespace: string;
  queue: string;
  /** Only these types; null for any. */
  types: readonly string[] | null;
  limit: number;
  leaseSeconds: number;
  workerId: string | null;
}

export interface ClaimOutcome {
  claimed: ClaimedJobView[];
  /** Expired leases on their last attempt: dead-lettered by the claim instead of handed out. */
  deadLettered: JobView[];
  /** Claimed jobs that were re-claimed after their lease expired. */
  reclaimedIds: ReadonlySet<string>;
}

/** Filters that select jobs by what happened to them (dead letters, mostly). */
export interface OutcomeFilter {
  /** Case-insensitive text the last error contains. */
  errorContains: string | null;
  /** Seconds since the job last changed (for dead letters: since it was dead-lettered). */
  minAgeSeconds: number | null;
  maxAgeSeconds: number | null;
}

export interface RedriveFilter extends OutcomeFilter {
  namespace: string;
  queue: string | null;
  type: string | null;
  ids: readonly string[] | null;
}

/** A job as it is now, and what the explainer needs of it. */
export interface JobSnapshot {
  state: JobState;
  job: JobView;
}

/** What a move decided under the row lock found, and the job as it left it (null: refused). */
export interface GuardedMove {
  state: JobState;
  job: JobView | null;
}

export interface JobStore {
  /**
   * The jobs inserted, by id; the others lost their idempotency key to an existing job. With
   * `transaction` (an in-process handler's), inside it: they exist once it commits.
   */
  insertJobs(jobs: readonly NewJob[], transaction?: JobTransaction): Promise<Map<string, JobView>>;
  /** The jobs holding these live keys (with `transaction`, as seen from inside it). */
  findByIdempotencyKeys(
    keys: readonly { namespace: string; idempotencyKey: string }[],
    transaction?: JobTransaction,
  ): Promise<KeyedJob[]>;
  /**
   * The whole workflow in one statement (optionally inside `transaction`): its creation time and
   * its nodes' jobs, in the order given; null when its idempotency key is held by another workflow
   * and nothing was written.
   */
  insertWorkflow(
    workflow: NewWorkflow,
    transaction?: JobTransaction,
  ): Promise<{ createdAt: Date; nodes: JobView[] } | null>;
  /** The workflow holding a key, and the fingerprint it was submitted with; null when none does. */
  findWorkflowByKey(
    namespace: string,
    idempotencyKey: string,
    transaction?: JobTransaction,
  ): Promise<{ id: string; fingerprint: string } | null>;
  /**
   * One round of cancelling a workflow's nodes in the statuses `from` (running ones told first):
   * the nodes cancelled. Nodes held right now are skipped, for the caller's next round.
   */
  cancelWorkflow(namespace: string, id: string, from: readonly JobStatus[]): Promise<JobView[]>;
  /** How many of the workflow's nodes are in the statuses `from`. */
  countWorkflowNodes(namespace: string, id: string, from: readonly JobStatus[]): Promise<number>;
  /** The workflow's nodes in the statuses `from`, started again (pending, or waiting): the nodes moved. */
  retryWorkflow(namespace: string, id: string, from: readonly JobStatus[]): Promise<JobView[]>;
  /**
   * What the database's dependency trigger did to the dependents of workflow nodes `moved` in the
   * transactions that moved them (`at`: each one's updatedAt): released, cancelled or resumed nodes,
   * as far down the graph as it went.
   */
  dependentsMoved(
    moved: readonly { id: string; at: Date }[],
  ): Promise<{ job: JobView; from: JobStatus | null; to: JobStatus }[]>;
  /** Whether the namespace has a workflow with this id. */
  workflowExists(namespace: string, id: string): Promise<boolean>;
  /** One batch of workflows past retention with no node left; how many went. */
  deleteEmptyWorkflows(olderThanSeconds: number, limit: number): Promise<number>;
  /** Jobs waiting to run (pending, or failed until their retry) per namespace; absent when none. */
  countWaiting(namespaces: readonly string[]): Promise<Map<string, number>>;

  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /**
   * Holds the job in `transaction` (an in-process handler's, just begun) under its live lease until
   * the transaction ends: nobody else can claim, reap or settle it meanwhile, even once the lease has
   * run out. False when the lease is not the caller's or no longer alive.
   */
  lock(namespace: string, proof: LeaseProof, transaction: JobTransaction): Promise<boolean>;
  /**
   * The jobs completed, by id; the others failed the lease guard. With `transaction`, inside it, for
   * the job it holds (lock).
   */
  complete(
    namespace: string,
    completions: readonly Completion[],
    transaction?: JobTransaction,
  ): Promise<Map<string, JobView>>;
  /**
   * The jobs failed (now `failed` or `dead_letter`), by id. With `transaction`, inside it, for the job
   * it holds (lock), after undoing everything the handler wrote in it.
   */
  fail(
    namespace: string,
    failures: readonly Failure[],
    transaction?: JobTransaction,
  ): Promise<Map<string, JobView>>;
  /** The new end of each lease that was extended, by id. */
  extendLeases(
    namespace: string,
    proofs: readonly LeaseProof[],
    leaseSeconds: number,
  ): Promise<Map<string, Date>>;
  /**
   * The lease holder's progress (either part null: kept as it was). `refused` when `proof` does not
   * hold the job; `throttled` when the job's last progress is less than `minIntervalSeconds` old.
   */
  recordProgress(
    namespace: string,
    proof: LeaseProof,
    progress: { percent: number | null; data: Record<string, unknown> | null },
    minIntervalSeconds: number,
  ): Promise<'recorded' | 'throttled' | 'refused'>;
  /** The jobs handed back to pending (the attempt not counted). */
  release(namespace: string, proofs: readonly LeaseProof[]): Promise<JobView[]>;
  /** Expired leases back to `failed` or `dead_letter`, at most `limit` of them. */
  reapExpiredLeases(limit: number): Promise<JobView[]>;

  cancel(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null>;
  retry(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null>;
  /** One batch of at most `limit` dead letters back to pending: the jobs moved. */
  redriveDeadLetters(filter: RedriveFilter, limit: number): Promise<JobView[]>;

  /** One batch of finished jobs (and their history) past retention; how many went. */
  deleteFinished(statuses: readonly JobStatus[], olderThanSeconds: number, limit: number): Promise<number>;
  /** One batch of idempotency keys past their window; how many went. */
  deleteExpiredKeys(limit: number): Promise<number>;
  /** Folds the stats deltas into the counters; how many delta rows. */
  compactStats(): Promise<number>;
  pruneStatusMinutes(): Promise<void>;

  /** The job now, for explaining why a guarded statement refused it; null when it is not there. */
  loadSnapshot(namespace: string, id: string): Promise<JobSnapshot | null>;
}
