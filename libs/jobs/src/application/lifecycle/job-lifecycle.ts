import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';
import { CONVEYOR_CONFIG, type ConveyorConfig } from '#conveyor/config';
import {
  JobRefusedError,
  NamespaceFullError,
  WorkflowBusyError,
  WorkflowKeyConflictError,
  WorkflowNotFoundError,
} from '../../domain/job.errors.js';
import { OPERATOR_MOVES } from '../../domain/operator-moves.js';
import type { JobStatus } from '../../domain/job-status.js';
import type { ClaimedJobView, JobView } from '../job-view.js';
import {
  type ClaimRequest,
  type Completion,
  type Failure,
  type GuardedMove,
  JOB_STORE,
  type JobSnapshot,
  type JobStore,
  type JobTransaction,
  type LeaseProof,
  type NewJob,
  type NewWorkflow,
  type RedriveFilter,
} from '../ports/job-store.js';
import { JobClaimed, JobSettled, JobSubmitted, LeaseExpired } from './lifecycle.events.js';
import { SettleBatcher } from './settle-batcher.js';
import {
  type KeyOutcome,
  keyedResult,
  keyOf,
  rowRefusal,
  SubmitGroupCommitter,
  type SubmitResult,
} from './submit-group-committer.js';
import { attemptMs, TransitionLog } from './transition-log.js';

/** What a workflow submit came to: a new workflow and its nodes, or the one that holds its key. */
export type WorkflowSubmitOutcome =
  | { readonly created: true; readonly createdAt: Date; readonly nodes: readonly JobView[] }
  | { readonly created: false; readonly workflowId: string };

/**
 * How long cancelling a workflow waits for nodes held by in-process handlers' transactions (told to
 * stop, they roll back within milliseconds) before answering busy, as cancelling one job does.
 */
const WORKFLOW_CANCEL_WAIT_MS = 5000;
const WORKFLOW_CANCEL_ROUND_MS = 50;

/**
 * The door: every change of a job's state, from REST, the in-process worker, the reaper, retention,
 * redrive and cron, passes here on its way to the lifecycle port (JOB_STORE). Only here are
 * lifecycle events published and transitions logged; the command handlers that call it run on the
 * command bus, which gives every write its span (telemetry's BusTracing). The statements behind
 * the port decide; this publishes and logs what they did.
 */
@Injectable()
export class JobLifecycle {
  private readonly log: TransitionLog;
  private readonly logger = new Logger('Lifecycle');
  /**
   * What writes made in an in-process handler's transaction (context.submit) announce once it
   * commits with the job's completion; dropped with the transaction otherwise.
   */
  private readonly afterCommit = new WeakMap<JobTransaction, (() => void)[]>();

  constructor(
    @Inject(JOB_STORE) private readonly store: JobStore,
    private readonly committer: SubmitGroupCommitter,
    private readonly settler: SettleBatcher,
    private readonly events: EventBus,
    @Inject(CONVEYOR_CONFIG) private readonly config: ConveyorConfig,
  ) {
    this.log = new TransitionLog(config.log.level);
  }

  /** Group-committed submits: each job's result, in order. Never rejects. */
  async submit(jobs: readonly NewJob[]): Promise<SubmitResult[]> {
    const results = await this.committer.submitMany(jobs);
    this.submitted(results);
    return results;
  }

  /**
   * Submits inside an in-process handler's transaction (context.submit): the jobs exist if and only
   * if that transaction commits, that is, if the job completes. Keys resolve as a submit's do, but
   * without group commit (the transaction is the handler's own): a key another transaction holds
   * waits for it. Each job's result, in order; never rejects for one job's key.
   */
  async submitInTransaction(jobs: readonly NewJob[], transaction: JobTransaction): Promise<SubmitResult[]> {
    // One job per key goes to the database (ON CONFLICT may not touch a row twice in a statement);
    // its duplicates here share its outcome.
    const leaders = new Map<string, NewJob>();
    for (const job of jobs) if (!leaders.has(keyOf(job))) leaders.set(keyOf(job), job);
    const inserted = await this.store.insertJobs([...leaders.values()], transaction);
    const outcomes = new Map<string, KeyOutcome>();
    const lost: NewJob[] = [];
    for (const [key, leader] of leaders) {
      const job = inserted.get(leader.id);
      if (job === undefined) lost.push(leader);
      else outcomes.set(key, { job, keyFingerprint: leader.fingerprint, created: true });
    }
    if (lost.length > 0) {
      for (const held of await this.store.findByIdempotencyKeys(lost, transaction)) {
        outcomes.set(keyOf(held.job), { ...held, created: false });
      }
    }
    const results = jobs.map((job) =>
      keyedResult(job, outcomes.get(keyOf(job)), leaders.get(keyOf(job)) === job),
    );
    this.whenCommitted(transaction, () => {
      this.submitted(results);
    });
    return results;
  }

  /**
   * A whole workflow, all or nothing (optionally inside an in-process handler's transaction, as
   * submitInTransaction). A replay of its key with the same content answers the workflow that holds
   * it; with other content, WorkflowKeyConflictError. Outside a transaction, the namespace's cap on
   * waiting jobs counts every node.
   */
  async submitWorkflow(workflow: NewWorkflow, transaction?: JobTransaction): Promise<WorkflowSubmitOutcome> {
    if (transaction === undefined) await this.checkRoom(workflow.namespace, workflow.nodes.length);
    // A key whose workflow is deleted between the insert and the lookup is free again: try once more.
    for (let round = 0; round < 2; round += 1) {
      let inserted: Awaited<ReturnType<JobStore['insertWorkflow']>>;
      try {
        inserted = await this.store.insertWorkflow(workflow, transaction);
      } catch (error) {
        const refusal = transaction === undefined ? rowRefusal(error) : null;
        throw refusal === null ? error : new JobRefusedError(refusal);
      }
      if (inserted !== null) {
        const { createdAt, nodes } = inserted;
        this.whenCommitted(transaction, () => {
          this.submitted(nodes.map((job) => ({ ok: true, outcome: { created: true, job } })));
        });
        return { created: true, createdAt, nodes };
      }
      const key = workflow.idempotencyKey;
      if (key === null) throw new Error(`workflow ${workflow.id} without a key was not inserted`);
      const existing = await this.store.findWorkflowByKey(workflow.namespace, key, transaction);
      if (existing === null) continue;
      if (existing.fingerprint !== workflow.fingerprint) throw new WorkflowKeyConflictError(key, existing.id);
      return { created: false, workflowId: existing.id };
    }
    throw new Error(`workflow with idempotency key "${workflow.idempotencyKey}" was not resolved`);
  }

  /**
   * Cancels every unfinished node of a workflow (their dependents with them), telling the handlers
   * of running ones; nodes an in-process handler holds are cancelled once it lets go. How many
   * nodes this call cancelled directly. WorkflowBusyError when some were still held after
   * WORKFLOW_CANCEL_WAIT_MS (the rest are cancelled).
   */
  async cancelWorkflow(namespace: string, id: string): Promise<number> {
    if (!(await this.store.workflowExists(namespace, id))) throw new WorkflowNotFoundError(id);
    const { from } = OPERATOR_MOVES.cancel;
    const deadline = Date.now() + WORKFLOW_CANCEL_WAIT_MS;
    let cancelled = 0;
    for (;;) {
      const moved = await this.store.cancelWorkflow(namespace, id, from);
      for (const job of moved) this.log.debug('job cancelled', job, { workflowId: id });
      this.followDependents(moved);
      cancelled += moved.length;
      const left = await this.store.countWorkflowNodes(namespace, id, from);
      if (left === 0) return cancelled;
      if (Date.now() >= deadline) throw new WorkflowBusyError(id, left);
      await sleep(WORKFLOW_CANCEL_ROUND_MS);
    }
  }

  /**
   * Starts a workflow's dead-lettered and cancelled nodes again, each with a fresh attempt budget:
   * pending, or waiting for what it depends on. How many nodes moved.
   */
  async retryWorkflow(namespace: string, id: string): Promise<number> {
    if (!(await this.store.workflowExists(namespace, id))) throw new WorkflowNotFoundError(id);
    const moved = await this.store.retryWorkflow(namespace, id, OPERATOR_MOVES.retry.from);
    for (const job of moved) this.log.debug('job retried', job, { workflowId: id });
    this.followDependents(moved);
    return moved.length;
  }

  async claim(request: ClaimRequest): Promise<ClaimedJobView[]> {
    const { claimed, deadLettered, reclaimedIds } = await this.store.claim(request);
    for (const job of claimed) {
      const reclaimed = reclaimedIds.has(job.id);
      if (reclaimed) {
        this.events.publish(new LeaseExpired(job.queue, job.type));
        this.log.warn('lease expired; job claimed again', job, { workerId: job.workerId });
      }
      const waitSeconds =
        reclaimed || job.claimedAt === null ? null : (job.claimedAt.getTime() - job.runAt.getTime()) / 1000;
      this.events.publish(new JobClaimed(job.queue, job.type, waitSeconds));
      this.log.debug('job claimed', job, {
        workerId: job.workerId,
        ...(waitSeconds === null ? {} : { waitMs: Math.round(waitSeconds * 1000) }),
      });
    }
    for (const job of deadLettered) {
      this.events.publish(new LeaseExpired(job.queue, job.type));
      this.events.publish(new JobSettled(job.queue, job.type, 'dead_letter', null));
      this.log.warn('lease expired on the last attempt; job dead-lettered', job);
    }
    this.followDependents(deadLettered);
    return claimed;
  }

  /** One completion, group-committed with concurrent ones; undefined when the lease guard refused it. */
  async complete(namespace: string, completion: Completion): Promise<JobView | undefined> {
    const job = await this.settler.complete(namespace, completion);
    if (job !== undefined) this.settled(job);
    return job;
  }

  /**
   * Holds the job in an in-process handler's transaction, just begun (JobStore.lock): false when the
   * lease is not the caller's or has run out. Not a transition: no event, no line.
   */
  lock(namespace: string, proof: LeaseProof, transaction: JobTransaction): Promise<boolean> {
    return this.store.lock(namespace, proof, transaction);
  }

  /**
   * A completion inside the handler's own transaction, which commits with it: the handler's writes
   * and the job's completion take effect together or not at all. Undefined (and nothing committed)
   * when the lease guard refused it; the caller rolls the transaction back.
   */
  async completeInTransaction(
    namespace: string,
    completion: Completion,
    transaction: JobTransaction,
  ): Promise<JobView | undefined> {
    const job = (await this.store.complete(namespace, [completion], transaction)).get(completion.id);
    if (job === undefined) return undefined;
    await transaction.commitTransaction();
    this.settled(job);
    for (const publish of this.afterCommit.get(transaction) ?? []) publish();
    this.afterCommit.delete(transaction);
    return job;
  }

  async fail(namespace: string, failure: Failure): Promise<JobView | undefined> {
    const job = await this.settler.fail(namespace, failure);
    if (job !== undefined) this.settled(job, failure.error);
    return job;
  }

  /**
   * A failure inside the handler's transaction, which holds the job: the handler's writes are undone,
   * the failure committed in their place. A transaction that outlived its lease still records the
   * handler's real error, not a lease expiry.
   */
  async failInTransaction(
    namespace: string,
    failure: Failure,
    transaction: JobTransaction,
  ): Promise<JobView | undefined> {
    // The handler's writes (and what it submitted) are undone: nothing of theirs to announce.
    this.afterCommit.delete(transaction);
    const job = (await this.store.fail(namespace, [failure], transaction)).get(failure.id);
    if (job === undefined) return undefined;
    await transaction.commitTransaction();
    this.settled(job, failure.error);
    return job;
  }

  /** Many completions and failures in two statements (POST /v1/jobs/ack): the jobs settled, by id. */
  async settleMany(
    namespace: string,
    completions: readonly Completion[],
    failures: readonly Failure[],
  ): Promise<Map<string, JobView>> {
    const [completed, failed] = await Promise.all([
      completions.length > 0 ? this.store.complete(namespace, completions) : new Map<string, JobView>(),
      failures.length > 0 ? this.store.fail(namespace, failures) : new Map<string, JobView>(),
    ]);
    const errors = new Map(failures.map((failure) => [failure.id, failure.error]));
    for (const job of completed.values()) this.settled(job);
    for (const job of failed.values()) this.settled(job, errors.get(job.id));
    return new Map([...completed, ...failed]);
  }

  /** Heartbeats: the new end of each lease extended, by id. Not a transition: no event, no line. */
  extendLeases(
    namespace: string,
    proofs: readonly LeaseProof[],
    leaseSeconds: number,
  ): Promise<Map<string, Date>> {
    return this.store.extendLeases(namespace, proofs, leaseSeconds);
  }

  /** The lease holder's progress. Not a transition: no event, no line. */
  recordProgress(
    namespace: string,
    proof: LeaseProof,
    progress: { percent: number | null; data: Record<string, unknown> | null },
    minIntervalSeconds: number,
  ): Promise<'recorded' | 'throttled' | 'refused'> {
    return this.store.recordProgress(namespace, proof, progress, minIntervalSeconds);
  }

  /** Jobs handed back by a draining worker: pending again, the attempt not counted. */
  async release(namespace: string, proofs: readonly LeaseProof[]): Promise<JobView[]> {
    const released = await this.store.release(namespace, proofs);
    for (const job of released) this.log.debug('job handed back', job);
    return released;
  }

  async reap(limit: number): Promise<JobView[]> {
    const reaped = await this.store.reapExpiredLeases(limit);
    for (const job of reaped) {
      this.events.publish(new LeaseExpired(job.queue, job.type));
      this.events.publish(
        new JobSettled(job.queue, job.type, job.status === 'dead_letter' ? 'dead_letter' : 'failed', null),
      );
      this.log.warn(
        job.status === 'dead_letter'
          ? 'lease expired on the last attempt; job dead-lettered'
          : 'lease expired; retry scheduled',
        job,
        { workerId: job.workerId, retryAt: job.runAt },
      );
    }
    this.followDependents(reaped);
    return reaped;
  }

  async cancel(namespace: string, id: string): Promise<GuardedMove | null> {
    const outcome = await this.store.cancel(namespace, id, OPERATOR_MOVES.cancel.from);
    if (outcome?.job) {
      this.log.debug('job cancelled', outcome.job);
      this.followDependents([outcome.job]);
    }
    return outcome;
  }

  async retry(namespace: string, id: string): Promise<GuardedMove | null> {
    const outcome = await this.store.retry(namespace, id, OPERATOR_MOVES.retry.from);
    if (outcome?.job) {
      this.log.debug('job retried', outcome.job);
      this.followDependents([outcome.job]);
    }
    return outcome;
  }

  /** One batch of dead letters back to pending; how many moved. */
  async redrive(filter: RedriveFilter, limit: number): Promise<number> {
    const moved = await this.store.redriveDeadLetters(filter, limit);
    for (const job of moved) this.log.debug('dead letter redriven', job);
    this.followDependents(moved);
    return moved.length;
  }

  deleteFinished(
    statuses: Parameters<JobStore['deleteFinished']>[0],
    olderThanSeconds: number,
    limit: number,
  ) {
    return this.store.deleteFinished(statuses, olderThanSeconds, limit);
  }

  deleteEmptyWorkflows(olderThanSeconds: number, limit: number): Promise<number> {
    return this.store.deleteEmptyWorkflows(olderThanSeconds, limit);
  }

  deleteExpiredKeys(limit: number): Promise<number> {
    return this.store.deleteExpiredKeys(limit);
  }

  compactStats(): Promise<number> {
    return this.store.compactStats();
  }

  pruneStatusMinutes(): Promise<void> {
    return this.store.pruneStatusMinutes();
  }

  /** The job now, for explaining a refusal; null when it is not there. */
  snapshot(namespace: string, id: string): Promise<JobSnapshot | null> {
    return this.store.loadSnapshot(namespace, id);
  }

  /** Publishes and logs what submits created or replayed. */
  private submitted(results: readonly SubmitResult[]): void {
    // One event per queue, type and outcome, not per job: a thousand events cost more than the insert.
    const counts = new Map<string, { job: JobView; replayed: boolean; count: number }>();
    for (const result of results) {
      if (!result.ok) continue;
      const { created, job } = result.outcome;
      const key = `${job.queue}\u0000${job.type}\u0000${String(created)}`;
      const counted = counts.get(key);
      if (counted === undefined) counts.set(key, { job, replayed: !created, count: 1 });
      else counted.count += 1;
      if (created) this.log.debug('job submitted', job, { runAt: job.runAt });
    }
    for (const { job, replayed, count } of counts.values()) {
      this.events.publish(new JobSubmitted(job.queue, job.type, replayed, count));
    }
  }

  /** Runs `publish` now, or once the handler's `transaction` has committed the writes it announces. */
  private whenCommitted(transaction: JobTransaction | undefined, publish: () => void): void {
    if (transaction === undefined) {
      publish();
      return;
    }
    const queued = this.afterCommit.get(transaction) ?? [];
    queued.push(publish);
    this.afterCommit.set(transaction, queued);
  }

  /** With CONVEYOR_MAX_PENDING_PER_NAMESPACE set, NamespaceFullError unless `count` more jobs fit. */
  private async checkRoom(namespace: string, count: number): Promise<void> {
    const cap = this.config.limits.maxPendingPerNamespace;
    if (cap === 0) return;
    const waiting = (await this.store.countWaiting([namespace])).get(namespace) ?? 0;
    if (waiting + count > cap) throw new NamespaceFullError(namespace, cap);
  }

  /** A job its holder completed or failed. */
  private settled(job: JobView, error?: string): void {
    this.events.publish(JobSettled.of(job));
    const durationMs = attemptMs(job);
    if (job.status === 'completed') this.log.debug('job completed', job, { durationMs });
    else if (job.status === 'failed')
      this.log.warn('attempt failed; retry scheduled', job, { durationMs, error, retryAt: job.runAt });
    else this.log.warn('job dead-lettered', job, { durationMs, error });
    this.followDependents([job]);
  }

  /**
   * Logs what the database's dependency trigger did to the dependents of those of `jobs` that are
   * workflow nodes: it moves them inside the door's own statements, so the door names those moves
   * too. They are routine (debug), so they are looked up only when debug lines are written, after
   * the caller has its answer.
   */
  private followDependents(jobs: readonly JobView[]): void {
    if (!this.log.debugging) return;
    const nodes = jobs
      .filter((job) => job.workflowId !== null)
      .map((job) => ({ id: job.id, at: job.updatedAt }));
    if (nodes.length === 0) return;
    void this.store.dependentsMoved(nodes).then(
      (moves) => {
        for (const { job, from, to } of moves) {
          this.log.debug(dependentMove(to), job, { fromStatus: from, workflowId: job.workflowId });
        }
      },
      (error: unknown) => {
        this.logger.warn(
          `could not read the moves of ${nodes.length} workflow nodes' dependents for the log: ${String(error)}`,
        );
      },
    );
  }
}

/** The line for a workflow node the dependency trigger moved to `to`. */
function dependentMove(to: JobStatus): string {
  switch (to) {
    case 'pending':
      return 'workflow node released: the jobs it depends on are done';
    case 'cancelled':
      return 'workflow node cancelled: a job it depends on failed or was cancelled';
    case 'waiting':
      return 'workflow node waiting again: a job it depends on was started again';
    case 'processing':
    case 'completed':
    case 'failed':
    case 'dead_letter':
      // Moves the trigger does not make; named plainly should it ever make one.
      return `workflow node moved to ${to} by its dependencies`;
  }
}
