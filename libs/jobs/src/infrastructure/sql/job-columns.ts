/** The columns every job-returning statement yields; rows are mapped by job-row.ts. */
export const JOB_COLUMNS = `
  j.id, j.namespace, j.queue, j.type, j.payload, j.status, j.priority, j.run_at, j.attempts,
  j.max_attempts, j.backoff, j.idempotency_key, j.lease_token, j.lease_expires_at, j.worker_id,
  j.last_error, j.result, j.claimed_at, j.traceparent, j.created_at, j.updated_at`;
