import type { JobEventView, JobView } from '../application/job-view.js';
import type { BackoffPolicy } from '../domain/backoff.js';
import type { JobStatus } from '../domain/job-status.js';

/** A row shaped by JOB_COLUMNS (sql/job-columns.ts), as node-postgres returns it. */
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
  created_at: Date;
  updated_at: Date;
}

/** One transition as GET_JOB_WITH_HISTORY aggregates it: [from, to, attempt, worker, error, epoch ms]. */
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
    createdAt: row.created_at,
    updatedAt: row.updated_at,
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
