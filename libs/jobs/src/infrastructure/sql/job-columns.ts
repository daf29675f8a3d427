/** The columns every job-returning statement yields; rows are mapped by job-row.ts. */
export const JOB_COLUMNS = `
  j.id, j.namespace, j.queue, j.type, j.payload, j.status, j.priority, j.run_at, j.attempts,
  j.max_attempts, j.backoff, j.idempotency_key, j.lease_token, j.lease_expires_at, j.worker_id,
  j.last_error, j.result, j.claimed_at, j.traceparent, j.created_at, j.updated_at`;

/**
 * What the aggregate needs to decide or explain a transition (domain JobState, snake_case), with
 * the time-dependent facts evaluated here, by the database clock. Reads `jobs` unaliased.
 */
export const JOB_STATE_COLUMNS = `
  id, status, attempts, max_attempts, lease_token,
  coalesce(lease_expires_at <= now(), false) AS lease_expired, run_at <= now() AS due`;
