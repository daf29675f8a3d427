import { Command } from '@nestjs/cqrs';
import type {
  IdempotencyConflictError,
  JobRefusedError,
  NamespaceFullError,
} from '../../../domain/job.errors.js';
import type { JobView } from '../../job-view.js';
import type { SubmitJobInput } from '../submit-job/submit-job.command.js';

/** What happened to one job of a batch, in the batch's order. */
export type BatchItemOutcome =
  | { outcome: 'created' | 'replayed'; job: JobView }
  | { outcome: 'refused'; error: IdempotencyConflictError | NamespaceFullError | JobRefusedError };

/**
 * Many submits in one call (POST /v1/jobs/batch). Invalid input refuses the whole batch
 * (InvalidBatchError, nothing written); each valid job then gets its own idempotency outcome.
 */
export class SubmitJobsCommand extends Command<BatchItemOutcome[]> {
  constructor(readonly inputs: readonly SubmitJobInput[]) {
    super();
  }
}
