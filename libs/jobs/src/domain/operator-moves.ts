import type { JobStatus } from './job-status.js';

/**
 * The moves an operator (or a client with `jobs:submit`) makes on a job, over its holder if it has
 * one: from
 * which statuses, to which. The guarded statements (infrastructure/sql/manage.sql.ts) take `from`
 * as a parameter, so this table is the only place the rule is written; job-status.spec.ts checks
 * that every move is legal in JOB_TRANSITIONS.
 */
export const OPERATOR_MOVES = {
  /** A running job too: its lease is void at once, and its handler is told (docs/queues.md). */
  cancel: { from: ['waiting', 'pending', 'failed', 'processing'], to: 'cancelled' },
  /**
   * One job back to pending, with a fresh attempt budget; to waiting instead while a job it depends
   * on (a workflow node's) has not completed.
   */
  retry: { from: ['dead_letter', 'cancelled'], to: 'pending' },
  /** Many dead letters back to pending, with a fresh attempt budget. */
  redrive: { from: ['dead_letter'], to: 'pending' },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: JobStatus }>;

export type OperatorMove = keyof typeof OPERATOR_MOVES;
