import { Command } from '@nestjs/cqrs';
import type { JobConflictError, JobNotFoundError } from '../../../domain/job.errors.js';
import type { CompletedAttempt, FailedAttempt } from '../../../infrastructure/job.repository.js';

export interface AcknowledgeJobsInput {
  namespace: string;
  completions: readonly CompletedAttempt[];
  failures: readonly FailedAttempt[];
}

/** What became of one acknowledged job: its new status, or why the lease guard refused it. */
export type AckOutcome =
  | { id: string; outcome: 'completed' | 'failed' | 'dead_letter' }
  | { id: string; outcome: 'refused'; error: JobNotFoundError | JobConflictError };

/**
 * Settles many leased jobs in one call (POST /v1/jobs/ack): one fenced UPDATE for the
 * completions and one for the failures. Job ids are unique across the two lists.
 */
export class AcknowledgeJobsCommand extends Command<AckOutcome[]> {
  constructor(readonly input: AcknowledgeJobsInput) {
    super();
  }
}
