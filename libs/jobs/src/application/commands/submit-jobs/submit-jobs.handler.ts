import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdempotencyConflictError,
  InvalidBatchError,
  JobRefusedError,
  NamespaceFullError,
} from '../../../domain/job.errors.js';
import { JobLifecycle } from '../../lifecycle/job-lifecycle.js';
import { currentTraceparent, isSubmitInputError, NewJobs } from '../../new-jobs.js';
import type { NewJob } from '../../ports/job-store.js';
import { type BatchItemOutcome, SubmitJobsCommand } from './submit-jobs.command.js';

@CommandHandler(SubmitJobsCommand)
export class SubmitJobsHandler implements ICommandHandler<SubmitJobsCommand> {
  constructor(
    private readonly newJobs: NewJobs,
    private readonly lifecycle: JobLifecycle,
  ) {}

  async execute({ inputs, transaction }: SubmitJobsCommand): Promise<BatchItemOutcome[]> {
    const traceparent = currentTraceparent();
    const prepared: NewJob[] = [];
    const invalid: { index: number; error: Error }[] = [];
    inputs.forEach((input, index) => {
      try {
        prepared.push(this.newJobs.prepare(input, traceparent));
      } catch (error) {
        if (!isSubmitInputError(error)) throw error;
        invalid.push({ index, error });
      }
    });
    if (invalid.length > 0) throw new InvalidBatchError(invalid);

    // All of them join the group commit at once: a batch of 1,000 is two INSERTs of 500.
    const results =
      transaction === undefined
        ? await this.lifecycle.submit(prepared)
        : await this.lifecycle.submitInTransaction(prepared, transaction);
    return results.map((result): BatchItemOutcome => {
      if (result.ok) {
        const { created, job } = result.outcome;
        return { outcome: created ? 'created' : 'replayed', job };
      }
      const { error } = result;
      if (
        error instanceof IdempotencyConflictError ||
        error instanceof NamespaceFullError ||
        error instanceof JobRefusedError
      ) {
        return { outcome: 'refused', error };
      }
      throw error;
    });
  }
}
