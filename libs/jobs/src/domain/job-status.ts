export const JOB_STATUSES = [
  'waiting',
  'pending',
  'processing',
  'completed',
  'failed',
  'dead_letter',
  'cancelled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * Every legal status change, and nothing else. The database trigger `jobs_guard_transition`
 * (migrations CreateJobs, Workflows) holds the same table; test/integration/state-machine.int-spec.ts proves
 * the two agree pair by pair.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  /** A workflow node until every job it depends on has completed (docs/workflows.md). */
  waiting: [
    'pending', // its last dependency completed (in that completion's transaction)
    'cancelled', // a dependency was dead-lettered or cancelled, or it was cancelled itself
  ],
  pending: [
    'processing', // claimed
    'cancelled',
  ],
  processing: [
    'completed',
    'failed', // retryable failure with attempts left; runs again after the backoff
    'dead_letter', // attempts used up, or a permanent failure
    'processing', // re-claimed after the lease expired: a new attempt
    'pending', // handed back by a draining worker; the attempt does not count
    'cancelled', // cancelled while running: its lease is void at once
  ],
  failed: [
    'processing', // claimed once runAt has passed
    'cancelled',
  ],
  dead_letter: ['pending'], // manual retry with a fresh attempt budget
  cancelled: [
    'pending', // manual retry
    'waiting', // manual retry, or the dependency that cancelled it retried, while a dependency is unfinished
  ],
  completed: [],
};

/**
 * Where a job ends unless a person sends it back (retry, redrive): what a client waiting for a
 * result waits for.
 */
export const FINISHED_STATUSES: readonly JobStatus[] = ['completed', 'dead_letter', 'cancelled'];

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}
