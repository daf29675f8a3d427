import { Injectable } from '@nestjs/common';
import type { QueryRunner } from 'typeorm';
import { Sql } from '#conveyor/database';
import type { ClaimJobInput } from '../application/commands/claim-job/claim-job.command.js';
import type { ClaimedJobView, JobEventView, JobView } from '../application/job-view.js';
import type { BackoffPolicy } from '../domain/backoff.js';
import type { JobState } from '../domain/job.js';
import type { JobStatus } from '../domain/job-status.js';
import { type JobEventTuple, type JobRow, toJobEventView, toJobView } from './job-row.js';
import { CLAIM_JOBS } from './sql/claim.sql.js';
import {
  COMPACT_JOB_STATS,
  DELETE_EXPIRED_KEYS,
  DELETE_FINISHED_JOBS,
  PRUNE_STATUS_MINUTES,
  REAP_EXPIRED_LEASES,
} from './sql/housekeeping.sql.js';
import { EXTEND_LEASES, RELEASE_JOBS } from './sql/lease.sql.js';
import { CANCEL_JOB, REDRIVE_DEAD_LETTERS, RETRY_JOB } from './sql/manage.sql.js';
import {
  GET_JOB_WITH_HISTORY,
  LATENCY_SAMPLE,
  LIST_JOBS,
  LOAD_JOB_STATE,
  OLDEST_PENDING,
  QUEUE_COUNTS,
  QUEUE_THROUGHPUT,
} from './sql/read.sql.js';
import { COMPLETE_JOBS, FAIL_JOBS } from './sql/settle.sql.js';
import { FIND_JOBS_BY_IDEMPOTENCY_KEYS, COUNT_WAITING, INSERT_JOBS } from './sql/submit.sql.js';

export interface NewJob {
  id: string;
  namespace: string;
  queue: string;
  type: string;
  payload: unknown;
  priority: number;
  /** ISO 8601 from the client, or null for "now" by the database clock. */
  runAt: string | null;
  maxAttempts: number;
  backoff: BackoffPolicy;
  idempotencyKey: string;
  fingerprint: string;
  dedupeWindowSeconds: number;
  /** W3C traceparent of the submitting trace, or null when none is active. */
  traceparent: string | null;
}

export interface KeyedJob {
  job: JobView;
  /** Fingerprint stored with the key when it was won. */
  keyFingerprint: string;
}

export interface LeaseProof {
  id: string;
  leaseToken: string;
}

export interface FailedAttempt extends LeaseProof {
  error: string;
  retryable: boolean;
}

export interface CompletedAttempt extends LeaseProof {
  result: unknown;
}

/** Filters that select dead letters (or any jobs) by what happened to them. */
export interface OutcomeFilter {
  /** Case-insensitive text the last error contains. */
  errorContains: string | null;
  /** Seconds since the job last changed (for dead letters: since it was dead-lettered). */
  minAgeSeconds: number | null;
  maxAgeSeconds: number | null;
}

export interface ListFilter extends OutcomeFilter {
  namespace: string;
  status: JobStatus | null;
  queue: string | null;
  type: string | null;
  after: { createdAtMicros: number; id: string } | null;
  limit: number;
}

export interface RedriveFilter extends OutcomeFilter {
  namespace: string;
  queue: string | null;
  type: string | null;
  ids: readonly string[] | null;
}

export interface QueueStatsRows {
  counts: { queue: string; status: JobStatus; count: number }[];
  throughput: { queue: string; status: JobStatus; last1: number; last5: number; last15: number }[];
  oldestPending: { queue: string; age_seconds: number }[];
  latency: { sample: number; wait: number[] | null; run: number[] | null };
}

export interface ClaimOutcome {
  claimed: ClaimedJobView[];
  deadLettered: JobView[];
  reclaimedIds: Set<string>;
}

export interface ReapedJob {
  id: string;
  queue: string;
  type: string;
  status: JobStatus;
}

function completeParams(namespace: string, attempts: readonly CompletedAttempt[]): unknown[] {
  const input = attempts.map((a) => ({ id: a.id, lease_token: a.leaseToken, result: a.result ?? null }));
  return [JSON.stringify(input), namespace];
}

interface JobStateRow {
  id: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  lease_token: string | null;
  lease_expired: boolean;
  due: boolean;
}

function toJobState(row: JobStateRow): JobState {
  return {
    id: row.id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseToken: row.lease_token,
    leaseExpired: row.lease_expired,
    due: row.due,
  };
}

/** What a guarded move found under the row lock, and the job as it left it (null: refused). */
export interface GuardedMove {
  state: JobState;
  job: JobView | null;
}

/** A job as INSERT_JOBS left it: what the caller sent, plus what the database decided. */
function insertedJobView(job: NewJob, runAt: Date, createdAt: Date): JobView {
  return {
    id: job.id,
    namespace: job.namespace,
    type: job.type,
    queue: job.queue,
    status: 'pending',
    payload: job.payload,
    priority: job.priority,
    attempts: 0,
    maxAttempts: job.maxAttempts,
    runAt,
    backoff: job.backoff,
    idempotencyKey: job.idempotencyKey,
    lastError: null,
    result: null,
    workerId: null,
    leaseExpiresAt: null,
    claimedAt: null,
    traceparent: job.traceparent,
    createdAt,
    updatedAt: createdAt,
  };
}

/** Every statement here is set-based where it can be: one round trip for many jobs. */
@Injectable()
export class JobRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * The jobs inserted, by id, as new jobs look; the others lost their idempotency key to an
   * existing job.
   */
  async insertJobs(jobs: readonly NewJob[]): Promise<Map<string, JobView>> {
    // Positional, in INSERT_JOBS' order.
    const rows = jobs.map((job) => [
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
    ]);
    const inserted = await this.sql.prepared<{ id: string; run_at_ms: number; created_at_ms: number }>(
      'conveyor_insert_jobs',
      INSERT_JOBS,
      [JSON.stringify(rows)],
    );
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
  ): Promise<KeyedJob[]> {
    const wanted = keys.map((key) => ({ namespace: key.namespace, idempotency_key: key.idempotencyKey }));
    const rows = await this.sql.prepared<JobRow & { key_fingerprint: string }>(
      'conveyor_find_jobs_by_keys',
      FIND_JOBS_BY_IDEMPOTENCY_KEYS,
      [JSON.stringify(wanted)],
    );
    return rows.map((row) => ({ job: toJobView(row), keyFingerprint: row.key_fingerprint }));
  }

  /** Jobs waiting to run per namespace; namespaces without any are absent. */
  async countWaiting(namespaces: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.sql.rows<{ namespace: string; waiting: number }>(COUNT_WAITING, [namespaces]);
    return new Map(rows.map((row) => [row.namespace, row.waiting]));
  }

  /**
   * The claimed jobs, the ones dead-lettered instead (an expired lease on their last attempt), and
   * which claimed ones are re-claims after an expired lease.
   */
  async claim(params: ClaimJobInput): Promise<ClaimOutcome> {
    const rows = await this.sql.prepared<JobRow & { reclaimed: boolean }>('conveyor_claim_jobs', CLAIM_JOBS, [
      params.namespace,
      params.queue,
      params.types,
      params.limit,
      params.leaseSeconds,
      params.workerId,
    ]);
    const outcome: ClaimOutcome = { claimed: [], deadLettered: [], reclaimedIds: new Set() };
    for (const row of rows) {
      if (row.status === 'dead_letter') {
        outcome.deadLettered.push(toJobView(row));
        continue;
      }
      if (row.lease_token === null || row.lease_expires_at === null) {
        throw new Error(`claimed job ${row.id} has no lease`); // excluded by jobs_lease_check
      }
      if (row.reclaimed) outcome.reclaimedIds.add(row.id);
      outcome.claimed.push({
        ...toJobView(row),
        leaseToken: row.lease_token,
        leaseExpiresAt: row.lease_expires_at,
      });
    }
    return outcome;
  }

  /** The jobs that were completed, by id; the others failed the lease guard. */
  async complete(namespace: string, attempts: readonly CompletedAttempt[]): Promise<Map<string, JobView>> {
    const rows = await this.sql.prepared<JobRow>(
      'conveyor_complete_jobs',
      COMPLETE_JOBS,
      completeParams(namespace, attempts),
    );
    return new Map(rows.map((row) => [row.id, toJobView(row)]));
  }

  /**
   * Completes inside the caller's open transaction, so the job's completion and everything the
   * handler wrote through that transaction commit together, or not at all.
   */
  async completeInTransaction(
    runner: QueryRunner,
    namespace: string,
    attempts: readonly CompletedAttempt[],
  ): Promise<Map<string, JobView>> {
    const result = await runner.query(COMPLETE_JOBS, completeParams(namespace, attempts), true);
    return new Map((result.records as JobRow[]).map((row) => [row.id, toJobView(row)]));
  }

  /** Ids handed back to pending (attempt not counted); the others failed the lease guard. */
  async release(namespace: string, proofs: readonly LeaseProof[]): Promise<Set<string>> {
    const input = proofs.map((p) => ({ id: p.id, lease_token: p.leaseToken }));
    const rows = await this.sql.rows<{ id: string }>(RELEASE_JOBS, [JSON.stringify(input), namespace]);
    return new Set(rows.map((row) => row.id));
  }

  async reapExpiredLeases(limit: number): Promise<ReapedJob[]> {
    return this.sql.rows<ReapedJob>(REAP_EXPIRED_LEASES, [limit]);
  }

  /** Deletes one batch; returns how many went. */
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

  /** The database clock, for decisions made in the application (cron slots). */
  async now(): Promise<Date> {
    const [row] = await this.sql.rows<{ now: Date }>('SELECT now() AS now');
    if (row === undefined) throw new Error('SELECT now() returned no row');
    return row.now;
  }

  /** The jobs that were failed (now `failed` or `dead_letter`), by id; the others failed the lease guard. */
  async fail(namespace: string, attempts: readonly FailedAttempt[]): Promise<Map<string, JobView>> {
    const input = attempts.map((a) => ({
      id: a.id,
      lease_token: a.leaseToken,
      error: a.error,
      retryable: a.retryable,
    }));
    const rows = await this.sql.prepared<JobRow>('conveyor_fail_jobs', FAIL_JOBS, [
      JSON.stringify(input),
      namespace,
    ]);
    return new Map(rows.map((row) => [row.id, toJobView(row)]));
  }

  async extendLeases(
    namespace: string,
    proofs: readonly LeaseProof[],
    leaseSeconds: number,
  ): Promise<Map<string, Date>> {
    const input = proofs.map((p) => ({ id: p.id, lease_token: p.leaseToken }));
    const rows = await this.sql.prepared<{ id: string; lease_expires_at: Date }>(
      'conveyor_extend_leases',
      EXTEND_LEASES,
      [JSON.stringify(input), leaseSeconds, namespace],
    );
    return new Map(rows.map((row) => [row.id, row.lease_expires_at]));
  }

  async loadState(namespace: string, id: string): Promise<JobState | null> {
    const [row] = await this.sql.rows<JobStateRow>(LOAD_JOB_STATE, [id, namespace]);
    return row === undefined ? null : toJobState(row);
  }

  /** Cancels the job if its status is one of `from`, deciding under its row lock (see sql/manage.sql.ts). */
  cancel(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null> {
    return this.guardedMove(CANCEL_JOB, namespace, id, from);
  }

  /** Retries the job if its status is one of `from`, likewise. */
  retry(namespace: string, id: string, from: readonly JobStatus[]): Promise<GuardedMove | null> {
    return this.guardedMove(RETRY_JOB, namespace, id, from);
  }

  private async guardedMove(
    statement: string,
    namespace: string,
    id: string,
    from: readonly JobStatus[],
  ): Promise<GuardedMove | null> {
    // The job's own columns are all NULL when the move was refused.
    type MovedRow = { [Column in keyof JobRow]: JobRow[Column] | null } & { state: JobStateRow };
    const [row] = await this.sql.rows<MovedRow>(statement, [id, namespace, from]);
    if (row === undefined) return null;
    return { state: toJobState(row.state), job: row.id === null ? null : toJobView(row as JobRow) };
  }

  /** The job and every transition it made, oldest first, as of one moment; null when it is not there. */
  async getWithHistory(
    namespace: string,
    id: string,
  ): Promise<{ job: JobView; events: JobEventView[] } | null> {
    const [row] = await this.sql.rows<JobRow & { history: JobEventTuple[] }>(GET_JOB_WITH_HISTORY, [
      id,
      namespace,
    ]);
    return row === undefined ? null : { job: toJobView(row), events: row.history.map(toJobEventView) };
  }

  /** Each job with its keyset position (see LIST_JOBS). */
  async list(
    filter: ListFilter,
  ): Promise<{ job: JobView; cursor: { createdAtMicros: number; id: string } }[]> {
    const rows = await this.sql.rows<JobRow & { cursor_micros: string }>(LIST_JOBS, [
      filter.namespace,
      filter.status,
      filter.queue,
      filter.type,
      filter.after?.createdAtMicros ?? null,
      filter.after?.id ?? null,
      filter.limit,
      filter.errorContains,
      filter.minAgeSeconds,
      filter.maxAgeSeconds,
    ]);
    return rows.map((row) => ({
      job: toJobView(row),
      cursor: { createdAtMicros: Number(row.cursor_micros), id: row.id },
    }));
  }

  /** Redrives one batch of at most `limit` dead letters; returns how many moved. */
  async redriveDeadLetters(filter: RedriveFilter, limit: number): Promise<number> {
    const result = await this.sql.pool.query(REDRIVE_DEAD_LETTERS, [
      filter.namespace,
      filter.queue,
      filter.type,
      filter.errorContains,
      filter.minAgeSeconds,
      filter.maxAgeSeconds,
      filter.ids,
      limit,
    ]);
    return result.rowCount ?? 0;
  }

  /** The four dashboard reads, in parallel on the pool. */
  async queueStats(namespace: string, latencySample: number): Promise<QueueStatsRows> {
    const [counts, throughput, oldestPending, [latency]] = await Promise.all([
      this.sql.rows<QueueStatsRows['counts'][number]>(QUEUE_COUNTS, [namespace]),
      this.sql.rows<QueueStatsRows['throughput'][number]>(QUEUE_THROUGHPUT, [namespace]),
      this.sql.rows<QueueStatsRows['oldestPending'][number]>(OLDEST_PENDING, [namespace]),
      this.sql.rows<QueueStatsRows['latency']>(LATENCY_SAMPLE, [namespace, latencySample]),
    ]);
    return { counts, throughput, oldestPending, latency: latency ?? { sample: 0, wait: null, run: null } };
  }

  /** Folds stats deltas into the counters; returns how many delta rows were folded. */
  async compactStats(): Promise<number> {
    const [row] = await this.sql.rows<{ folded: number }>(COMPACT_JOB_STATS);
    return row?.folded ?? 0;
  }

  async pruneStatusMinutes(): Promise<void> {
    await this.sql.pool.query(PRUNE_STATUS_MINUTES);
  }
}
