import { Command } from '@nestjs/cqrs';
import type { JobConflictError, JobNotFoundError } from '../../../domain/job.errors.js';
import type { Completion, Failure } from '../../ports/job-store.js';

export interface AcknowledgeJobsInput {
  namespace: string;
  completions: readonly Completion[];
  failures: readonly Failure[];
}

/**
 * What became of one acknowledged job: its new status (`replayed` when the same lease had
 * already settled it this way, and this is its answer again), or why the lease guard refused it.
 */
export type AckOutcome =
  | { id: string; outcome: 'completed' | 'failed' | 'dead_letter'; replayed: boolean }
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
