import type { JobEventView, JobView } from '../application/job-view.js';
import type { NewJob } from '../application/ports/job-store.js';
import type { BackoffPolicy } from '../domain/backoff.js';
import type { JobState, LeaseEnd } from '../domain/job-state.js';
import type { JobStatus } from '../domain/job-status.js';

/** A row shaped by JOB_COLUMNS (sql/job-columns.ts, which the compiler holds to this), as node-postgres returns it. */
export interface JobRow {
  id: string;
  namespace: string;
  queue: string;
  type: string;
  payload: unknown;
  status: JobStatus;
  priority: number;
  run_at: Date;
  attempts: number;
  max_attempts: number;
  backoff: BackoffPolicy;
  idempotency_key: string;
  lease_token: string | null;
  lease_expires_at: Date | null;
  worker_id: string | null;
  last_error: string | null;
  result: unknown;
  claimed_at: Date | null;
  traceparent: string | null;
  concurrency_key: string | null;
  callback_url: string | null;
  workflow_id: string | null;
  workflow_ref: string | null;
  created_at: Date;
  updated_at: Date;
}

/** A row shaped by jobStateColumns (its id as state_id, so that it can sit beside JOB_COLUMNS). */
export interface JobStateRow {
  state_id: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  lease_token: string | null;
  lease_expired: boolean;
  due: boolean;
  last_lease_token: string | null;
  last_lease_end: LeaseEnd | null;
}

/** One transition as GET_JOBS_WITH_HISTORY aggregates it: [from, to, attempt, worker, error, epoch ms]. */
export type JobEventTuple = [JobStatus | null, JobStatus, number, string | null, string | null, number];

export function toJobView(row: JobRow): JobView {
  return {
    id: row.id,
    namespace: row.namespace,
    type: row.type,
    queue: row.queue,
    status: row.status,
    payload: row.payload,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAt: row.run_at,
    backoff: row.backoff,
    idempotencyKey: row.idempotency_key,
    lastError: row.last_error,
    result: row.result,
    workerId: row.worker_id,
    leaseExpiresAt: row.lease_expires_at,
    claimedAt: row.claimed_at,
    traceparent: row.traceparent,
    concurrencyKey: row.concurrency_key,
    callbackUrl: row.callback_url,
    workflowId: row.workflow_id,
    workflowRef: row.workflow_ref,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A job as INSERT_JOBS (or INSERT_WORKFLOW, with `node`) left it: what the caller sent, plus what
 * the database decided.
 */
export function insertedJobView(
  job: NewJob,
  runAt: Date,
  createdAt: Date,
  node: { workflowId: string; ref: string; status: 'pending' | 'waiting' } | null = null,
): JobView {
  return {
    id: job.id,
    namespace: job.namespace,
    type: job.type,
    queue: job.queue,
    status: node?.status ?? 'pending',
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
    concurrencyKey: job.concurrencyKey,
    callbackUrl: job.callbackUrl,
    workflowId: node?.workflowId ?? null,
    workflowRef: node?.ref ?? null,
    createdAt,
    updatedAt: createdAt,
  };
}

export function toJobState(row: JobStateRow): JobState {
  return {
    id: row.state_id,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    leaseToken: row.lease_token,
    leaseExpired: row.lease_expired,
    due: row.due,
    lastLeaseToken: row.last_lease_token,
    lastLeaseEnd: row.last_lease_end,
  };
}

export function toJobEventView([
  fromStatus,
  toStatus,
  attempt,
  workerId,
  error,
  occurredAtMs,
]: JobEventTuple): JobEventView {
  return { fromStatus, toStatus, attempt, workerId, error, occurredAt: new Date(occurredAtMs) };
}
