import { Command } from '@nestjs/cqrs';
import type {
  IdempotencyConflictError,
  JobRefusedError,
  NamespaceFullError,
} from '../../../domain/job.errors.js';
import type { JobView } from '../../job-view.js';
import type { JobTransaction } from '../../ports/job-store.js';
import type { SubmitJobInput } from '../submit-job/submit-job.command.js';

/** What happened to one job of a batch, in the batch's order. */
export type BatchItemOutcome =
  | { outcome: 'created' | 'replayed'; job: JobView }
  | { outcome: 'refused'; error: IdempotencyConflictError | NamespaceFullError | JobRefusedError };

/**
 * Many submits in one call (POST /v1/jobs/batch). Invalid input refuses the whole batch
 * (InvalidBatchError, nothing written); each valid job then gets its own idempotency outcome.
 * With `transaction`, inside an in-process handler's transaction (context.submit): the jobs exist if
 * and only if that job completes.
 */
export class SubmitJobsCommand extends Command<BatchItemOutcome[]> {
  constructor(
    readonly inputs: readonly SubmitJobInput[],
    readonly transaction?: JobTransaction,
  ) {
    super();
  }
}
