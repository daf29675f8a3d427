import type { JobRow, JobStateRow } from '../job-row.js';

/**
 * Every column of a job row as the statements return it (job-row.ts maps them). A record, not a
 * list, so that the compiler holds it to JobRow: a column missing here, or one JobRow lacks, is an
 * error.
 */
const JOB_ROW_COLUMNS: Record<keyof JobRow, true> = {
  id: true,
  namespace: true,
  queue: true,
  type: true,
  payload: true,
  status: true,
  priority: true,
  run_at: true,
  attempts: true,
  max_attempts: true,
  backoff: true,
  idempotency_key: true,
  lease_token: true,
  lease_expires_at: true,
  worker_id: true,
  last_error: true,
  result: true,
  claimed_at: true,
  traceparent: true,
  concurrency_key: true,
  callback_url: true,
  workflow_id: true,
  workflow_ref: true,
  created_at: true,
  updated_at: true,
};

/** The columns every job-returning statement yields, of the row aliased `j`. */
export const JOB_COLUMNS = Object.keys(JOB_ROW_COLUMNS)
  .map((column) => `j.${column}`)
  .join(', ');

const JOB_STATE_EXPRESSIONS: Record<keyof JobStateRow, (j: string) => string> = {
  state_id: (j) => `${j}.id`,
  status: (j) => `${j}.status`,
  attempts: (j) => `${j}.attempts`,
  max_attempts: (j) => `${j}.max_attempts`,
  lease_token: (j) => `${j}.lease_token`,
  lease_expired: (j) => `coalesce(${j}.lease_expires_at <= now(), false)`,
  due: (j) => `${j}.run_at <= now()`,
  last_lease_token: (j) => `${j}.last_lease_token`,
  last_lease_end: (j) => `${j}.last_lease_end`,
};

/**
 * What the explainer needs (domain JobState, snake_case) of the row aliased `j`, with the
 * time-dependent facts evaluated here, by the database clock.
 */
export const jobStateColumns = (j: string): string =>
  Object.entries(JOB_STATE_EXPRESSIONS)
    .map(([column, expression]) => `${expression(j)} AS ${column}`)
    .join(', ');
